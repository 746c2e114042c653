using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CourseMaterial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Sources",
                table: "Messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaterialVersion",
                table: "Courses",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "CourseMaterials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CourseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    PassageCount = table.Column<int>(type: "INTEGER", nullable: false),
                    UploadedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UploadedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CourseMaterials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CourseMaterials_Courses_CourseId",
                        column: x => x.CourseId,
                        principalTable: "Courses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CoursePassages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MaterialId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CourseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    Section = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Page = table.Column<int>(type: "INTEGER", nullable: true),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    Embedding = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CoursePassages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CoursePassages_CourseMaterials_MaterialId",
                        column: x => x.MaterialId,
                        principalTable: "CourseMaterials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CourseMaterials_CourseId",
                table: "CourseMaterials",
                column: "CourseId");

            migrationBuilder.CreateIndex(
                name: "IX_CoursePassages_CourseId",
                table: "CoursePassages",
                column: "CourseId");

            migrationBuilder.CreateIndex(
                name: "IX_CoursePassages_MaterialId_Ordinal",
                table: "CoursePassages",
                columns: new[] { "MaterialId", "Ordinal" });

            // Full-text search over the passages (FTS5, Porter-stemmed): an external-content table kept
            // in step by triggers (passages are only ever inserted and deleted, never updated).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "CoursePassageSearch" USING fts5("Section", "Text", content='CoursePassages', content_rowid='Id', tokenize='porter unicode61');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CoursePassages_ai" AFTER INSERT ON "CoursePassages" BEGIN
                  INSERT INTO "CoursePassageSearch"(rowid, "Section", "Text") VALUES (new."Id", new."Section", new."Text");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CoursePassages_ad" AFTER DELETE ON "CoursePassages" BEGIN
                  INSERT INTO "CoursePassageSearch"("CoursePassageSearch", rowid, "Section", "Text") VALUES ('delete', old."Id", old."Section", old."Text");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"CoursePassages_ai\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"CoursePassages_ad\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"CoursePassageSearch\";");
            migrationBuilder.DropTable(
                name: "CoursePassages");

            migrationBuilder.DropTable(
                name: "CourseMaterials");

            migrationBuilder.DropColumn(
                name: "Sources",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "MaterialVersion",
                table: "Courses");
        }
    }
}
