using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class LedgerDailyConfiguration : IEntityTypeConfiguration<LedgerDaily>
{
    public void Configure(EntityTypeBuilder<LedgerDaily> builder)
    {
        builder.ToTable("LedgerDaily");
        builder.HasKey(e => new { e.Day, e.UserId, e.Feature, e.Provider, e.Model, e.Outcome, e.FailureCategory });
        builder.HasIndex(e => new { e.UserId, e.Day });
    }
}

internal sealed class LedgerDayTotalConfiguration : IEntityTypeConfiguration<LedgerDayTotal>
{
    public void Configure(EntityTypeBuilder<LedgerDayTotal> builder)
    {
        builder.ToTable("LedgerDayTotals");
        builder.HasKey(e => new { e.Day, e.Feature, e.Provider, e.Model, e.Outcome, e.FailureCategory });
    }
}

internal sealed class LatencyDailyConfiguration : IEntityTypeConfiguration<LatencyDaily>
{
    public void Configure(EntityTypeBuilder<LatencyDaily> builder)
    {
        builder.ToTable("LatencyDaily");
        builder.HasKey(e => new { e.Day, e.Metric, e.Bucket });
    }
}
