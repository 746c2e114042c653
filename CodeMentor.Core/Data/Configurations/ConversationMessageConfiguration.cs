using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class ConversationMessageConfiguration : IEntityTypeConfiguration<ConversationMessage>
{
    public void Configure(EntityTypeBuilder<ConversationMessage> builder)
    {
        builder.ToTable("Messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedOnAdd();
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.StatusDetail).HasMaxLength(1000);
        builder.Property(m => m.Provider).HasMaxLength(40);
        builder.Property(m => m.Model).HasMaxLength(100);
        builder.Property(m => m.Node).HasMaxLength(64);
        // Replies being written, by node: what the sweep for stopped nodes reads every few seconds.
        builder.HasIndex(m => m.Node).HasFilter("\"Status\" = 'Streaming'").HasDatabaseName("IX_Messages_Streaming_Node");
        builder.Ignore(m => m.CostUsd);
        builder.HasIndex(m => new { m.ConversationId, m.Id });
        // Startup looks for replies a crash left "streaming".
        builder.HasIndex(m => m.Status);
    }
}
