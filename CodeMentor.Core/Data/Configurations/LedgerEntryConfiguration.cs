using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("Ledger");
        builder.HasKey(e => e.Id);
        builder.Ignore(e => e.CostUsd);
        builder.Ignore(e => e.SavedCostUsd);
        builder.Property(e => e.UserId).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Feature).HasMaxLength(32);
        builder.Property(e => e.Provider).HasMaxLength(40);
        builder.Property(e => e.Model).HasMaxLength(100);
        builder.Property(e => e.Outcome).HasMaxLength(24);
        builder.Property(e => e.FailureCategory).HasMaxLength(40);
        // Dashboard queries filter by period, and by user within a period.
        builder.HasIndex(e => e.TimestampUtc);
        builder.HasIndex(e => new { e.UserId, e.TimestampUtc });
        // A course's use in a period: its budgets are counted from it after a restart.
        builder.HasIndex(e => new { e.CourseId, e.TimestampUtc });
        // A user's most expensive calls (the drill-down's default sort) without sorting all their rows.
        builder.HasIndex(e => new { e.UserId, e.CostPico });
    }
}
