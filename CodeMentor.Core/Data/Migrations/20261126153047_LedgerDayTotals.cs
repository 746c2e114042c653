using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LedgerDayTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LedgerDayTotals",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Feature = table.Column<string>(type: "TEXT", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", nullable: false),
                    Model = table.Column<string>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", nullable: false),
                    FailureCategory = table.Column<string>(type: "TEXT", nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    InputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    OutputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    ReasoningTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CachedInputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CostPico = table.Column<long>(type: "INTEGER", nullable: false),
                    UnpricedRequests = table.Column<long>(type: "INTEGER", nullable: false),
                    SavedCostPico = table.Column<long>(type: "INTEGER", nullable: false),
                    LatencySumMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LastAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerDayTotals", x => new { x.Day, x.Feature, x.Provider, x.Model, x.Outcome, x.FailureCategory });
                });

            // Filled from the per-user roll-ups it sums (the same statement as UsageRollups.RebuildDayTotalsSql).
            migrationBuilder.Sql("""
                INSERT INTO "LedgerDayTotals" ("Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory", "Requests", "InputTokens",
                    "OutputTokens", "ReasoningTokens", "CachedInputTokens", "CostPico", "UnpricedRequests", "SavedCostPico", "LatencySumMs", "LastAtUtc")
                SELECT "Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory", SUM("Requests"), SUM("InputTokens"), SUM("OutputTokens"),
                    SUM("ReasoningTokens"), SUM("CachedInputTokens"), SUM("CostPico"), SUM("UnpricedRequests"), SUM("SavedCostPico"),
                    SUM("LatencySumMs"), MAX("LastAtUtc")
                FROM "LedgerDaily"
                GROUP BY "Day", "Feature", "Provider", "Model", "Outcome", "FailureCategory"
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LedgerDayTotals");
        }
    }
}
