using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TutoringAndDashboardSpeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The dashboard reads day ranges of the roll-up: store it clustered by its key (Day first)
            // so a range is one sequential read instead of an index walk with a row look-up per row.
            migrationBuilder.Sql("""
                CREATE TABLE "LedgerDaily_clustered" (
                    "Day" TEXT NOT NULL, "UserId" TEXT NOT NULL, "Feature" TEXT NOT NULL, "Provider" TEXT NOT NULL, "Model" TEXT NOT NULL,
                    "Outcome" TEXT NOT NULL, "FailureCategory" TEXT NOT NULL, "Requests" INTEGER NOT NULL, "InputTokens" INTEGER NOT NULL,
                    "OutputTokens" INTEGER NOT NULL, "ReasoningTokens" INTEGER NOT NULL, "CachedInputTokens" INTEGER NOT NULL,
                    "CostPico" INTEGER NOT NULL, "UnpricedRequests" INTEGER NOT NULL, "SavedCostPico" INTEGER NOT NULL,
                    "LatencySumMs" INTEGER NOT NULL, "LastAtUtc" TEXT NOT NULL,
                    CONSTRAINT "PK_LedgerDaily" PRIMARY KEY ("Day", "UserId", "Feature", "Provider", "Model", "Outcome", "FailureCategory")
                ) WITHOUT ROWID;
                INSERT INTO "LedgerDaily_clustered" SELECT "Day", "UserId", "Feature", "Provider", "Model", "Outcome", "FailureCategory",
                    "Requests", "InputTokens", "OutputTokens", "ReasoningTokens", "CachedInputTokens", "CostPico", "UnpricedRequests",
                    "SavedCostPico", "LatencySumMs", "LastAtUtc" FROM "LedgerDaily";
                DROP TABLE "LedgerDaily";
                ALTER TABLE "LedgerDaily_clustered" RENAME TO "LedgerDaily";
                CREATE INDEX "IX_LedgerDaily_UserId_Day" ON "LedgerDaily" ("UserId", "Day");
                """);

            migrationBuilder.DropIndex(
                name: "IX_Conversations_UserId_UpdatedAtUtc",
                table: "Conversations");

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Conversations",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Chat");

            migrationBuilder.CreateTable(
                name: "CodeReviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Goals = table.Column<string>(type: "TEXT", nullable: false),
                    RepositoryUrl = table.Column<string>(type: "TEXT", nullable: true),
                    FileNames = table.Column<string>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", nullable: false),
                    Diagnostics = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CodeReviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CodeReviews_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CodeReviews_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Exercises",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Language = table.Column<string>(type: "TEXT", nullable: false),
                    Level = table.Column<string>(type: "TEXT", nullable: false),
                    Interests = table.Column<string>(type: "TEXT", nullable: false),
                    Difficulty = table.Column<string>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    Statement = table.Column<string>(type: "TEXT", nullable: false),
                    StarterCode = table.Column<string>(type: "TEXT", nullable: false),
                    ExamplesJson = table.Column<string>(type: "TEXT", nullable: false),
                    ReferenceSolution = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    HintsGiven = table.Column<int>(type: "INTEGER", nullable: false),
                    CurrentCode = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Exercises", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Exercises_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LearnerProfiles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Languages = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Goals = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Interests = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PreferredStyle = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    OnboardingCompleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LearnerProfiles", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_LearnerProfiles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ExerciseAttempts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExerciseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Code = table.Column<string>(type: "TEXT", nullable: false),
                    Reply = table.Column<string>(type: "TEXT", nullable: false),
                    Solved = table.Column<bool>(type: "INTEGER", nullable: false),
                    Guarded = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExerciseAttempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ExerciseAttempts_Exercises_ExerciseId",
                        column: x => x.ExerciseId,
                        principalTable: "Exercises",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_UserId_CostPico",
                table: "Ledger",
                columns: new[] { "UserId", "CostPico" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_UserId_Kind_UpdatedAtUtc",
                table: "Conversations",
                columns: new[] { "UserId", "Kind", "UpdatedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_CodeReviews_ConversationId",
                table: "CodeReviews",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_CodeReviews_UserId_CreatedAtUtc",
                table: "CodeReviews",
                columns: new[] { "UserId", "CreatedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ExerciseAttempts_ExerciseId",
                table: "ExerciseAttempts",
                column: "ExerciseId");

            migrationBuilder.CreateIndex(
                name: "IX_Exercises_UserId_CreatedAtUtc",
                table: "Exercises",
                columns: new[] { "UserId", "CreatedAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CodeReviews");

            migrationBuilder.DropTable(
                name: "ExerciseAttempts");

            migrationBuilder.DropTable(
                name: "LearnerProfiles");

            migrationBuilder.DropTable(
                name: "Exercises");

            migrationBuilder.DropIndex(
                name: "IX_Ledger_UserId_CostPico",
                table: "Ledger");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_UserId_Kind_UpdatedAtUtc",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_UserId_UpdatedAtUtc",
                table: "Conversations",
                columns: new[] { "UserId", "UpdatedAtUtc" });
        }
    }
}
