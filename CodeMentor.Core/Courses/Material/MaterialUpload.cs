namespace CodeMentor.Core.Courses.Material;

/// <summary>
/// An uploaded file waiting to be indexed, being indexed, or what became of it. Kept in the database so that a restart
/// loses no upload (the file stays here until it is indexed or refused, then is dropped: material keeps only its
/// passages), and so that with several nodes any node indexes it and every node's pages show its progress.
/// </summary>
public sealed class MaterialUpload
{
    /// <summary>How many of a course's uploads may wait or be indexed at once (each holds its file until then).</summary>
    public const int MaxUnfinishedPerCourse = 10;

    /// <summary>How many times indexing a file may be cut off by its node ending (a crash, a kill) before the file is
    /// refused: a file that brings the server down must not do so again at every start.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Also the id of the material it adds: a node that indexed the file but died before saying so is
    /// recognised by the material already being there, and the file is not added twice.</summary>
    public Guid Id { get; set; }

    public Guid CourseId { get; set; }
    public string UploadedByUserId { get; set; } = "";
    public string FileName { get; set; } = "";

    /// <summary>The file as uploaded, until it is indexed or refused.</summary>
    public byte[]? Content { get; set; }

    public MaterialJobState State { get; set; }

    /// <summary>While indexing: passages embedded so far, of <see cref="Passages"/> (0 until the file is split).</summary>
    public int Embedded { get; set; }

    public int Passages { get; set; }

    /// <summary>Why the file was refused, for the teacher.</summary>
    public string? Error { get; set; }

    /// <summary>While indexing: the node doing it (<see cref="SharedState.NodeIdentity"/>), so that another node can
    /// queue it again if that node dies.</summary>
    public string? Node { get; set; }

    /// <summary>How many times a node has started indexing the file and not been stopped cleanly (a clean stop gives the
    /// attempt back).</summary>
    public int Attempts { get; set; }

    public DateTime QueuedAtUtc { get; set; }
    public DateTime ChangedAtUtc { get; set; }
}
