using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CourseLeakGuard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LeakGuard",
                table: "Courses",
                type: "TEXT",
                maxLength: 12,
                nullable: false,
                defaultValue: "Standard");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LeakGuard",
                table: "Courses");
        }
    }
}
