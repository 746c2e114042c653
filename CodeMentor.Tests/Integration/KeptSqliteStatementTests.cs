using CodeMentor.Core.Data;
using CsCheck;
using Microsoft.Data.Sqlite;

namespace CodeMentor.Tests.Integration;

/// <summary>The writer's kept statements bind and step straight on SQLite (KeptSqliteStatement). Microsoft.Data.Sqlite is
/// the oracle: for any value, the direct run must store exactly what SqliteCommand stores (same SQLite type, same bytes)
/// and read back what it reads, or decline the run without having run anything.</summary>
public sealed class KeptSqliteStatementTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"kept-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _connection;

    public KeptSqliteStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        _connection.Open();
        // Thousands of tiny write transactions: no journal file and no fsync, or the test spends its time waiting on disk.
        Run("PRAGMA journal_mode=MEMORY");
        Run("PRAGMA synchronous=OFF");
        Run("CREATE TABLE probe (id INTEGER PRIMARY KEY, v)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        File.Delete(_path);
    }

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private enum Mood { Calm = 2, Curious = -7 }

    private enum Huge : ulong { Big = ulong.MaxValue }

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char, 100, 900],
        Gen.Const(""), Gen.Const("é字😀"), Gen.Const("\ud800 lone"), Gen.Const("end \udc00"), Gen.Const("a\0b"),
        Gen.Int[171, 700].Select(n => new string('x', n) + "\0tail"));

    private static readonly Gen<object?> Values = Gen.OneOf<object?>(
        Pick<object?>(null, DBNull.Value),
        Texts.Select(t => (object?)t),
        Gen.Long.Select(v => (object?)v), Gen.Int.Select(v => (object?)v), Gen.Short.Select(v => (object?)v), Gen.Byte.Select(v => (object?)v),
        Gen.UInt.Select(v => (object?)v), Gen.Bool.Select(v => (object?)v), Gen.Char.Select(v => (object?)v),
        Pick<object?>(Mood.Calm, Mood.Curious, Huge.Big),
        Gen.Double.Select(v => (object?)v), Pick<object?>(double.NaN, double.PositiveInfinity, -0.0, double.Epsilon),
        Gen.Float.Select(v => (object?)v),
        Gen.Decimal.Select(v => (object?)v), Pick<object?>(0m, -0.5m, 1.10m, decimal.MaxValue, 0.0000000000000000000000000001m),
        Gen.DateTime.Select(v => (object?)v), Gen.Date.Select(d => (object?)DateOnly.FromDateTime(d)),
        Gen.Guid.Select(v => (object?)v), Gen.DateTimeOffset.Select(v => (object?)v), Gen.Byte.Array[0, 40].Select(v => (object?)v),
        Gen.Long.Select(t => (object?)TimeSpan.FromTicks(t % TimeSpan.MaxValue.Ticks)));

    private static readonly Gen<SqliteType?> Types = Pick<SqliteType?>(null, null, null, SqliteType.Text, SqliteType.Integer, SqliteType.Real, SqliteType.Blob);

    [Fact]
    public void Any_value_is_stored_as_Microsoft_Data_Sqlite_stores_it_or_the_run_is_declined_untouched()
    {
        const string Insert = "INSERT INTO probe (v) VALUES (@v)";
        using var statement = KeptSqliteStatement.TryPrepare(_connection, Insert)!;
        using var direct = Command(Insert);
        using var oracle = Command(Insert);
        var directParameter = direct.Parameters.Add("@v", SqliteType.Text);
        var oracleParameter = oracle.Parameters.Add("@v", SqliteType.Text);
        var declined = 0;

        Gen.Select(Values, Types, Gen.Int[-1, 300]).Sample((value, type, size) =>
        {
            Run("DELETE FROM probe");
            foreach (var parameter in new[] { directParameter, oracleParameter })
            {
                parameter.ResetSqliteType();
                if (type is { } t)
                {
                    parameter.SqliteType = t;
                }
                parameter.Size = size;
                parameter.Value = value;
            }

            var oracleFailed = Failure(() => oracle.ExecuteNonQuery());
            var expected = Stored();
            Run("DELETE FROM probe");

            bool ran = false;
            var directFailed = Failure(() => ran = statement.TryRun(direct.Parameters, readFirstValue: false, out _, out _));
            if (!ran && directFailed is null)
            {
                declined++;
                Assert.Empty(Stored()); // declined runs have run nothing
                return;
            }
            Assert.Equal(oracleFailed?.GetType(), directFailed?.GetType());
            Assert.Equal(expected, Stored());
        }, iter: 3000, threads: 1);

        // Most runs are the common types, taken directly; the rest (null value, char, Real dates...) are declined.
        Assert.InRange(declined, 1, 2000);
    }

    [Fact]
    public void A_value_read_back_is_what_ExecuteScalar_reads()
    {
        const string Insert = "INSERT INTO probe (v) VALUES (@v) RETURNING v";
        using var statement = KeptSqliteStatement.TryPrepare(_connection, Insert)!;
        using var command = Command(Insert);
        var parameter = command.Parameters.Add("@v", SqliteType.Text);

        Gen.OneOf(Texts.Select(t => (object?)t), Gen.Long.Select(v => (object?)v), Gen.Double.Select(v => (object?)v),
            Pick<object?>(DBNull.Value), Gen.Decimal.Select(v => (object?)v)).Sample(value =>
        {
            parameter.ResetSqliteType();
            parameter.Value = value;
            var expected = command.ExecuteScalar();
            if (value is double d && double.IsNaN(d))
            {
                return;
            }
            if (!statement.TryRun(command.Parameters, readFirstValue: true, out var changed, out var actual))
            {
                Assert.True(value is string text && text.Contains('\0')); // a long text with a NUL is Microsoft.Data.Sqlite's to store
                return;
            }
            Assert.Equal(1, changed);
            Assert.Equal(expected, actual);
        }, iter: 1000, threads: 1);
    }

    [Fact]
    public void A_run_that_breaks_a_constraint_raises_SQLites_error_and_leaves_the_statement_usable()
    {
        Run("CREATE TABLE named (name TEXT PRIMARY KEY)");
        const string Insert = "INSERT INTO named (name) VALUES (@name)";
        using var statement = KeptSqliteStatement.TryPrepare(_connection, Insert)!;
        using var command = Command(Insert);
        var parameter = command.Parameters.Add("@name", SqliteType.Text);

        parameter.Value = "ada";
        Assert.True(statement.TryRun(command.Parameters, false, out var changed, out _));
        Assert.Equal(1, changed);
        var error = Assert.Throws<SqliteException>(() => statement.TryRun(command.Parameters, false, out _, out _));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT, as SqliteCommand reports it
        parameter.Value = "grace";
        Assert.True(statement.TryRun(command.Parameters, false, out _, out _));
        Assert.Equal(2L, Scalar("SELECT count(*) FROM named"));
    }

    [Fact]
    public void More_than_one_statement_or_an_unknown_parameter_is_left_to_Microsoft_Data_Sqlite()
    {
        Assert.Null(KeptSqliteStatement.TryPrepare(_connection, "DELETE FROM probe; DELETE FROM probe"));
        using var statement = KeptSqliteStatement.TryPrepare(_connection, "INSERT INTO probe (v) VALUES (@v)")!;
        using var command = Command("SELECT 1");
        command.Parameters.AddWithValue("@other", 1);
        Assert.False(statement.TryRun(command.Parameters, false, out _, out _));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM probe"));
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Run(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar();
    }

    private List<string> Stored()
    {
        using var command = Command("SELECT typeof(v) || ':' || coalesce(hex(v), '') FROM probe");
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    private static Exception? Failure(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
