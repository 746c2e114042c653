using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CourseBudgets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "CourseId",
                table: "Ledger",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BudgetPeriod",
                table: "Courses",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "Week");

            migrationBuilder.AddColumn<long>(
                name: "LearnerTokenBudget",
                table: "Courses",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TokenBudget",
                table: "Courses",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_CourseId_TimestampUtc",
                table: "Ledger",
                columns: new[] { "CourseId", "TimestampUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Ledger_CourseId_TimestampUtc",
                table: "Ledger");

            migrationBuilder.DropColumn(
                name: "CourseId",
                table: "Ledger");

            migrationBuilder.DropColumn(
                name: "BudgetPeriod",
                table: "Courses");

            migrationBuilder.DropColumn(
                name: "LearnerTokenBudget",
                table: "Courses");

            migrationBuilder.DropColumn(
                name: "TokenBudget",
                table: "Courses");
        }
    }
}
