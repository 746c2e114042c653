using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CodeMentor.Core.Data;

/// <summary>
/// One of the writer's kept statements, compiled once and run straight on SQLite: its values bound by position and the
/// statement stepped, as <see cref="SqliteCommand"/> would, but without what that command makes on every run — a data
/// reader, a statement enumerator, a binder object per parameter, each parameter's name converted to UTF-8 to look up
/// its position, and each text value's UTF-8 copy (here encoded into a pooled buffer). Those were the largest share of
/// a chat turn's allocation left on the server.
/// <para>It binds only the values whose stored form it produces exactly as Microsoft.Data.Sqlite's binder does (null,
/// integers, booleans and enums, finite doubles, strings within the parameter's size, decimals, text dates and times,
/// text GUIDs) and answers only the usual outcomes; for anything else — another type, SQLite busy, a parameter it
/// cannot place — <see cref="TryRun"/> returns false having changed nothing, and the caller runs the command through
/// Microsoft.Data.Sqlite, which then behaves (and fails) as it always does. The two are compared value by value in
/// <c>KeptSqliteStatementTests</c>.</para>
/// </summary>
internal sealed class KeptSqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly bool _readOnly;

    // The parameter objects of the last run and their positions in the statement: kept statements keep their
    // parameter objects (ReusableCommand.Bind), so positions are looked up once.
    private SqliteParameter[] _placed = [];
    private int[] _positions = [];

    private KeptSqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
        _readOnly = raw.sqlite3_stmt_readonly(statement) != 0;
    }

    /// <summary>The statement compiled, or null when <paramref name="sql"/> is not exactly one statement SQLite accepts
    /// (the command then always runs through Microsoft.Data.Sqlite).</summary>
    public static KeptSqliteStatement? TryPrepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle;
        if (db is null || raw.sqlite3_prepare_v2(db, sql, out var statement, out string tail) != raw.SQLITE_OK || statement.IsInvalid)
        {
            return null;
        }
        if ((tail ?? "").AsSpan().Trim().Trim(';').Trim().Length > 0)
        {
            statement.Dispose();
            return null;
        }
        return new KeptSqliteStatement(db, statement);
    }

    /// <summary>Runs the statement with <paramref name="parameters"/>' values: the rows changed (-1 for a statement that
    /// changes none) and, when asked, the first row's first column as Microsoft.Data.Sqlite reads it. False, with
    /// nothing run, when this run must go through Microsoft.Data.Sqlite instead.</summary>
    public bool TryRun(SqliteParameterCollection? parameters, bool readFirstValue, out int changed, out object? firstValue)
    {
        changed = -1;
        firstValue = null;
        if (!TryPlace(parameters))
        {
            return false;
        }
        try
        {
            var count = parameters is null ? 0 : _placed.Length;
            for (var i = 0; i < count; i++)
            {
                var rc = Bind(_placed[i], _positions[i]);
                if (rc == Unsupported)
                {
                    return false;
                }
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            int step;
            var read = false;
            while ((step = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                if (readFirstValue && !read)
                {
                    firstValue = Column(0);
                    read = true;
                }
            }
            if (step is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
            {
                // Microsoft.Data.Sqlite waits and retries a busy database; nothing was written by this step.
                return false;
            }
            SqliteException.ThrowExceptionForRC(step, _db);
            changed = _readOnly ? -1 : raw.sqlite3_changes(_db);
            return true;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private bool TryPlace(SqliteParameterCollection? parameters)
    {
        if (parameters is null)
        {
            return raw.sqlite3_bind_parameter_count(_statement) == 0;
        }
        if (parameters.Count != raw.sqlite3_bind_parameter_count(_statement))
        {
            return false;
        }
        var same = _placed.Length == parameters.Count;
        for (var i = 0; same && i < _placed.Length; i++)
        {
            same = ReferenceEquals(_placed[i], parameters[i]);
        }
        if (same)
        {
            return true;
        }
        var placed = new SqliteParameter[parameters.Count];
        var positions = new int[parameters.Count];
        for (var i = 0; i < placed.Length; i++)
        {
            placed[i] = parameters[i];
            positions[i] = string.IsNullOrEmpty(placed[i].ParameterName) ? 0 : raw.sqlite3_bind_parameter_index(_statement, placed[i].ParameterName);
            if (positions[i] == 0)
            {
                return false; // unprefixed names and the like: Microsoft.Data.Sqlite's own lookup handles them
            }
        }
        (_placed, _positions) = (placed, positions);
        return true;
    }

    private const int Unsupported = -1;

    /// <summary>Whether Microsoft.Data.Sqlite would cut a text of <paramref name="length"/> characters to the parameter's
    /// size. Read from the size as set: the Size property cannot tell "not set" from 0 for a value that is not a string,
    /// and a size set to 0 cuts a text to nothing.</summary>
    private static bool Truncates(SqliteParameter parameter, int length) => SetSize(parameter) is { } size && size != -1 && length > size;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_size")]
    private static extern ref int? SetSize(SqliteParameter parameter);

    /// <summary>Binds as Microsoft.Data.Sqlite's SqliteValueBinder does, for the types it is sure of.</summary>
    private int Bind(SqliteParameter parameter, int position)
    {
        var value = parameter.Value;
        return value switch
        {
            null => Unsupported, // Microsoft.Data.Sqlite refuses a parameter with no value: let it say so
            DBNull => raw.sqlite3_bind_null(_statement, position),
            string text when Truncates(parameter, text.Length) => Unsupported,
            string text => BindText(position, text),
            Enum when Enum.GetUnderlyingType(value.GetType()) == typeof(ulong) => Unsupported,
            Enum or byte or sbyte or short or ushort or int or uint or long =>
                raw.sqlite3_bind_int64(_statement, position, Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            bool flag => raw.sqlite3_bind_int64(_statement, position, flag ? 1 : 0),
            double number when !double.IsNaN(number) => raw.sqlite3_bind_double(_statement, position, number),
            decimal number => BindFormatted(parameter, position, number, "0.0###########################"),
            DateTime time when parameter.SqliteType == SqliteType.Text => BindFormatted(parameter, position, time, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF"),
            DateOnly day when parameter.SqliteType == SqliteType.Text => BindFormatted(parameter, position, day, @"yyyy\-MM\-dd"),
            Guid id when parameter.SqliteType != SqliteType.Blob => BindFormatted(parameter, position, id, "D", upperCase: true),
            _ => Unsupported,
        };
    }

    /// <summary>A value written as text straight into UTF-8, as the binder's ToString(format, invariant culture) writes it.</summary>
    private int BindFormatted<T>(SqliteParameter parameter, int position, T value, string format, bool upperCase = false) where T : IUtf8SpanFormattable
    {
        Span<byte> text = stackalloc byte[64];
        if (!value.TryFormat(text, out var written, format, CultureInfo.InvariantCulture) || Truncates(parameter, written)) // ASCII: bytes = characters
        {
            return Unsupported;
        }
        if (upperCase)
        {
            Ascii.ToUpperInPlace(text[..written], out _);
        }
        return raw.sqlite3_bind_text(_statement, position, text[..written]);
    }

    /// <summary>Text as Microsoft.Data.Sqlite binds it, or <see cref="Unsupported"/> where it would store it differently.</summary>
    private int BindText(int position, string text)
    {
        // Microsoft.Data.Sqlite passes text of more than 512 UTF-8 bytes to SQLite as NUL-terminated, so it stores such
        // a text only up to its first NUL character: that case is left to it, so both store the same.
        if (text.Length > 170 && text.Contains('\0') && Encoding.UTF8.GetByteCount(text) > 512)
        {
            return Unsupported;
        }
        return BindUtf8(_statement, position, text);
    }

    /// <summary>Binds <paramref name="text"/> to a statement as UTF-8 (a lone surrogate becomes U+FFFD, as
    /// Microsoft.Data.Sqlite encodes it), encoded into a stack or pooled buffer that SQLite copies from.</summary>
    internal static int BindUtf8(sqlite3_stmt statement, int position, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[512];
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return raw.sqlite3_bind_text(statement, position, buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A column as SqliteDataReader.GetValue reads it.</summary>
    private object Column(int index) => raw.sqlite3_column_type(_statement, index) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_statement, index),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, index),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(_statement, index).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, index).ToArray(),
        _ => DBNull.Value,
    };
}
