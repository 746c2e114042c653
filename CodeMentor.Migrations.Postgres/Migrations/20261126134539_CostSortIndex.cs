using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Migrations.Postgres.Migrations
{
    /// <summary>A user's calls by cost, most expensive first and unpriced last, read in index order (see
    /// PostgresEngine.OrderByCostDescending). An expression index, which EF Core's model cannot describe,
    /// and PostgreSQL's alone: SQLite walks its (UserId, CostPico) index with a planner hint instead.</summary>
    public partial class CostSortIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE INDEX \"IX_Ledger_UserId_CostSort\" ON \"Ledger\" (\"UserId\", COALESCE(\"CostPico\", -1) DESC, \"Id\" DESC);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX \"IX_Ledger_UserId_CostSort\";");
        }
    }
}
