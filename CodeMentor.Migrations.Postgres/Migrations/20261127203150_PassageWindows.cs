using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PassageWindows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "WindowEmbeddings",
                table: "CoursePassages",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "WindowEmbeddings",
                table: "CoursePassages");
        }
    }
}
