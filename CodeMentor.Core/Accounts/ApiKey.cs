namespace CodeMentor.Core.Accounts;

/// <summary>A key a learner made for an editor plugin, a notebook or a chat front-end to call the
/// tutor's OpenAI-compatible API as them. Only its SHA-256 hash is kept: the key is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public string UserId { get; set; } = "";

    /// <summary>The learner's label, e.g. "VS Code at home".</summary>
    public string Name { get; set; } = "";

    /// <summary>The key's first characters ("cm_AbC12x"), so the learner can tell keys apart.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>SHA-256 of the whole key. Keys are 256 random bits, so a fast hash is enough (no
    /// guessing a key from its hash); a slow password hash would cost every API call.</summary>
    public byte[] Hash { get; set; } = [];

    public DateTime CreatedAtUtc { get; set; }
    public DateTime? LastUsedAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
}
