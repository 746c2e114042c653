using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class MaterialUploadAttempts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "MaterialUploads",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "MaterialUploads");
        }
    }
}
