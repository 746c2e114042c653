using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LedgerAndReplyCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ContentTokens",
                table: "Messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CostPico",
                table: "Messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "FromCache",
                table: "Messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Ledger",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TimestampUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Feature = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    InputTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    OutputTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    ReasoningTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    CachedInputTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    CostPico = table.Column<long>(type: "INTEGER", nullable: true),
                    SavedCostPico = table.Column<long>(type: "INTEGER", nullable: false),
                    LatencyMs = table.Column<int>(type: "INTEGER", nullable: false),
                    TimeToFirstTokenMs = table.Column<int>(type: "INTEGER", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    FailureCategory = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ledger", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_TimestampUtc",
                table: "Ledger",
                column: "TimestampUtc");

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_UserId_TimestampUtc",
                table: "Ledger",
                columns: new[] { "UserId", "TimestampUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Ledger");

            migrationBuilder.DropColumn(
                name: "ContentTokens",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "CostPico",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "FromCache",
                table: "Messages");
        }
    }
}
