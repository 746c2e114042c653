using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class MaterialUploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MaterialUploads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CourseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UploadedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Embedded = table.Column<int>(type: "INTEGER", nullable: false),
                    Passages = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Node = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    QueuedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ChangedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MaterialUploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MaterialUploads_Courses_CourseId",
                        column: x => x.CourseId,
                        principalTable: "Courses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MaterialUploads_CourseId_QueuedAtUtc",
                table: "MaterialUploads",
                columns: new[] { "CourseId", "QueuedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_MaterialUploads_State_QueuedAtUtc",
                table: "MaterialUploads",
                columns: new[] { "State", "QueuedAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MaterialUploads");
        }
    }
}
