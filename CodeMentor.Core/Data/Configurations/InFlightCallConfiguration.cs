using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class InFlightCallConfiguration : IEntityTypeConfiguration<InFlightCall>
{
    public void Configure(EntityTypeBuilder<InFlightCall> builder)
    {
        builder.ToTable("InFlightCalls");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.UserId).HasMaxLength(64).IsRequired();
        builder.Property(c => c.Feature).HasMaxLength(32);
        builder.Property(c => c.Provider).HasMaxLength(40);
        builder.Property(c => c.Model).HasMaxLength(100);
        builder.Property(c => c.Node).HasMaxLength(64);
    }
}
