using CodeMentor.Core.Accounts;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Title).HasMaxLength(Conversation.MaxTitleLength).IsRequired();
        builder.Property(c => c.UserId).IsRequired();
        builder.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Messages).WithOne(m => m.Conversation).HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        // The conversation list: one user's conversations, newest first.
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16).HasDefaultValue(ConversationKind.Chat);
        builder.HasIndex(c => new { c.UserId, c.Kind, c.UpdatedAtUtc });
    }
}
