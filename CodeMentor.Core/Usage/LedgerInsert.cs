using System.Data.Common;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CodeMentor.Core.Usage;

/// <summary>The ledger's stored columns (all but the key) as the EF model maps them: name, store
/// type, and how a row's value becomes the stored one. The bulk loads write through these, so their
/// rows are stored exactly as EF would store them.</summary>
internal sealed record LedgerColumns(string Table, IReadOnlyList<LedgerColumns.Column> All)
{
    public sealed record Column(string Name, string StoreType, IClrPropertyGetter Getter, ValueConverter? Converter)
    {
        public object? ValueOf(LedgerEntry row)
        {
            var value = Getter.GetClrValue(row);
            return value is not null && Converter is not null ? Converter.ConvertToProvider(value) : value;
        }
    }

    public string QuotedNames => string.Join(", ", All.Select(c => $"\"{c.Name}\""));

    public static LedgerColumns Of(AppDbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(LedgerEntry))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return new LedgerColumns(table.Name, entity.GetProperties().Where(p => !p.IsPrimaryKey())
            .Select(p => new Column(p.GetColumnName(table)!, p.GetColumnType(), p.GetGetter(), p.GetTypeMapping().Converter)).ToList());
    }
}

/// <summary>One prepared INSERT of a ledger row: SQLite's bulk path.</summary>
internal sealed class LedgerInsert : ILedgerBulkLoad
{
    private readonly DbCommand _command;
    private readonly (LedgerColumns.Column Column, DbParameter Parameter)[] _columns;

    private LedgerInsert(DbCommand command, (LedgerColumns.Column, DbParameter)[] columns)
    {
        _command = command;
        _columns = columns;
    }

    /// <summary>Prepares the INSERT in the context's open connection and current transaction.</summary>
    public static async Task<LedgerInsert> PrepareAsync(AppDbContext context, CancellationToken ct)
    {
        var ledger = LedgerColumns.Of(context);
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO \"{ledger.Table}\" ({ledger.QuotedNames}) VALUES ({string.Join(", ", ledger.All.Select((_, i) => "$p" + i))})";
        var columns = ledger.All.Select((column, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$p" + i;
            command.Parameters.Add(parameter);
            return (column, parameter);
        }).ToArray();
        await command.PrepareAsync(ct);
        return new LedgerInsert(command, columns);
    }

    public async Task AddAsync(LedgerEntry row, CancellationToken ct)
    {
        foreach (var (column, parameter) in _columns)
        {
            parameter.Value = column.ValueOf(row) ?? DBNull.Value;
        }
        await _command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Each row was executed as it was added.</summary>
    public Task CompleteAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
