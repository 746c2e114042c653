namespace CodeMentor.Core.Courses.Material;

/// <summary>The formats a teacher can upload; each is split by its own structure (see <see cref="MaterialSplitter"/>).</summary>
public enum MaterialKind
{
    Markdown,
    Text,
    Source,
    Pdf,
    Html,
}

/// <summary>A document a teacher uploaded to a course. Its text lives in its passages; the file itself is not kept.</summary>
public sealed class CourseMaterial
{
    public const int MaxTitleLength = 200;
    public const int MaxFileNameLength = 255;

    /// <summary>The largest upload (a textbook PDF fits; a video does not).</summary>
    public const long MaxBytes = 20 * 1024 * 1024;

    public Guid Id { get; set; }
    public Guid CourseId { get; set; }
    public string Title { get; set; } = "";
    public string FileName { get; set; } = "";
    public MaterialKind Kind { get; set; }
    public long SizeBytes { get; set; }
    public int PassageCount { get; set; }
    public DateTime UploadedAtUtc { get; set; }
    public string UploadedByUserId { get; set; } = "";
}

/// <summary>A piece of a material small enough to retrieve and quote: its text, where it sits (the
/// headings above it, the PDF page) and its embedding. Full-text indexes are kept by the database
/// engine (an FTS5 table on SQLite, a generated tsvector on PostgreSQL; see the migrations).</summary>
public sealed class CoursePassage
{
    public const int MaxSectionLength = 500;

    public long Id { get; set; }
    public Guid MaterialId { get; set; }
    public Guid CourseId { get; set; }

    /// <summary>Order within the material.</summary>
    public int Ordinal { get; set; }

    /// <summary>The headings above the passage, outermost first ("4. More Control Flow Tools › 4.3. The range() Function").</summary>
    public string Section { get; set; } = "";

    /// <summary>The PDF page (1-based) the passage is on; null for formats without pages.</summary>
    public int? Page { get; set; }

    public string Text { get; set; } = "";

    /// <summary>The unit-length embedding of title, section and text (<see cref="TextEmbedder.Dimensions"/> little-endian floats).</summary>
    public byte[] Embedding { get; set; } = [];

    /// <summary>The unit-length embeddings of the passage's sentence windows (<see cref="PassageWindows"/>), one after another;
    /// empty for material indexed before windows existed, which is then ranked by <see cref="Embedding"/> alone.</summary>
    public byte[] WindowEmbeddings { get; set; } = [];
}
