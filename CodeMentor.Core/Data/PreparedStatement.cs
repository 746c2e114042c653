using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CodeMentor.Core.Data;

/// <summary>
/// A statement of a chat turn's path (a message saved, a reply finished, a ledger row and its roll-ups), built once
/// per model and run through EF Core's own command pipeline — its logging, interceptors and diagnostic events, which
/// OpenTelemetry's EF Core instrumentation reads — with only the values new on each call. <c>ExecuteUpdate</c>,
/// raw SQL and <c>SaveChanges</c> build their statement again on every call (an expression tree to translate, SQL
/// text to scan for placeholders, modification commands to generate): together about half of what a turn allocated.
/// Parameters are typed by the model's type mappings, so values are stored exactly as EF Core stores them
/// (enums as their names, dates in the engine's format).
/// </summary>
internal sealed class PreparedStatement
{
    private readonly IRelationalCommand _command;
    private readonly string[] _names;

    private PreparedStatement(IRelationalCommand command, string[] names)
    {
        _command = command;
        _names = names;
    }

    /// <param name="parameters">The type mapping of each parameter, in order.</param>
    /// <param name="sql">The statement, given the delimiter of identifiers and the placeholder of each parameter.</param>
    public static PreparedStatement Build(AppDbContext context, IReadOnlyList<RelationalTypeMapping> parameters,
        Func<Func<string, string>, IReadOnlyList<string>, string> sql)
    {
        var helper = context.GetService<ISqlGenerationHelper>();
        var builder = context.GetService<IRelationalCommandBuilderFactory>().Create();
        var names = new string[parameters.Count];
        var placeholders = new string[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            names[i] = "p" + i;
            placeholders[i] = helper.GenerateParameterNamePlaceholder(names[i]);
        }
        builder.Append(sql(helper.DelimitIdentifier, placeholders));
        for (var i = 0; i < parameters.Count; i++)
        {
            builder.AddParameter(names[i], helper.GenerateParameterName(names[i]), parameters[i], nullable: true);
        }
        var built = (RelationalCommand)builder.Build();
        // Built as EF Core builds it, as a command that can run kept compiled in the database writer (ReusedStatements).
        var command = new ReusingRelationalCommand(context.GetService<RelationalCommandBuilderDependencies>(), built.CommandText,
            built.LogCommandText, built.Parameters, parameters);
        return new PreparedStatement(command, names);
    }

    /// <summary>
    /// <c>UPDATE</c> of <typeparamref name="TEntity"/>'s table setting the columns of <paramref name="set"/> where the
    /// columns of <paramref name="where"/> equal the values given (values: those of <paramref name="set"/>, then those of
    /// <paramref name="where"/>, in order). A column named in <paramref name="keepWhenNull"/> keeps its stored value
    /// when given null. Names are properties; their columns and types come from the model.
    /// </summary>
    public static PreparedStatement Update<TEntity>(AppDbContext context, string[] set, string[] where, params string[] keepWhenNull)
    {
        var (table, properties) = Resolve<TEntity>(context, [.. set, .. where]);
        return Build(context, [.. properties.Select(p => p.GetRelationalTypeMapping())], (quote, values) =>
        {
            string Column(int i) => quote(properties[i].GetColumnName(table)!);
            var assignments = set.Select((name, i) => keepWhenNull.Contains(name)
                ? $"{Column(i)} = COALESCE({values[i]}, {Column(i)})"
                : $"{Column(i)} = {values[i]}");
            var conditions = where.Select((_, j) => $"{Column(set.Length + j)} = {values[set.Length + j]}");
            return $"UPDATE {quote(table.Name)} SET {string.Join(", ", assignments)} WHERE {string.Join(" AND ", conditions)}";
        });
    }

    /// <summary><c>DELETE</c> from <typeparamref name="TEntity"/>'s table where the columns of <paramref name="where"/>
    /// equal the values given, in order.</summary>
    public static PreparedStatement Delete<TEntity>(AppDbContext context, params string[] where)
    {
        var (table, properties) = Resolve<TEntity>(context, where);
        return Build(context, [.. properties.Select(p => p.GetRelationalTypeMapping())], (quote, values) =>
            $"DELETE FROM {quote(table.Name)} WHERE {string.Join(" AND ", properties.Select((p, i) => $"{quote(p.GetColumnName(table)!)} = {values[i]}"))}");
    }

    /// <summary>The type mapping the model gives a property (what its parameters must use).</summary>
    public static RelationalTypeMapping MappingOf<TEntity>(AppDbContext context, string property) =>
        Resolve<TEntity>(context, [property]).Properties[0].GetRelationalTypeMapping();

    /// <summary>The entity's table and the named properties, or a clear error when the model has no such thing.</summary>
    internal static (StoreObjectIdentifier Table, IProperty[] Properties) Resolve<TEntity>(AppDbContext context, IEnumerable<string> properties)
    {
        var entity = context.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (table, [.. properties.Select(name => entity.FindProperty(name) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} has no property {name}."))]);
    }

    /// <summary>Runs the statement in the context's connection and current transaction; returns the rows affected.</summary>
    public Task<int> ExecuteAsync(AppDbContext context, object?[] values, CancellationToken ct) =>
        _command.ExecuteNonQueryAsync(Arguments(context, values), ct);

    /// <summary>Runs the statement and returns the first column of its first row (e.g. a key from RETURNING).</summary>
    public Task<object?> ExecuteScalarAsync(AppDbContext context, object?[] values, CancellationToken ct) =>
        _command.ExecuteScalarAsync(Arguments(context, values), ct);

    private RelationalCommandParameterObject Arguments(AppDbContext context, object?[] values)
    {
        if (values.Length != _names.Length)
        {
            throw new ArgumentException($"The statement takes {_names.Length} values, not {values.Length}.", nameof(values));
        }
        var byName = new NamedValues(_names, values);
        var facade = (IRelationalDatabaseFacadeDependencies)((IDatabaseFacadeDependenciesAccessor)context.Database).Dependencies;
        return new RelationalCommandParameterObject(facade.RelationalConnection, byName, null, context, facade.CommandLogger, CommandSource.ExecuteSqlRaw);
    }
}

/// <summary>A statement's values by parameter name, as EF Core's command takes them: over the two arrays, without the
/// hash table a dictionary builds on every call (EF Core looks each of a few names up once).</summary>
internal sealed class NamedValues(string[] names, object?[] values) : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => names;

    public IEnumerable<object?> Values => values;

    public int Count => names.Length;

    public bool ContainsKey(string key) => Array.IndexOf(names, key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        var i = Array.IndexOf(names, key);
        value = i >= 0 ? values[i] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        names.Select((name, i) => KeyValuePair.Create(name, values[i])).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// One value per EF model, built from the first context of that model that asks: a prepared statement, a compiled
/// query. SQLite's and PostgreSQL's models differ (a process that uses both, as the tests do, keeps one of each), and
/// what is built from one model must not run against the other (EF Core refuses a compiled query on another model).
/// </summary>
internal sealed class PerModel<T>(Func<AppDbContext, T> build) where T : class
{
    private readonly ConditionalWeakTable<IModel, T> _byModel = new();

    public T For(AppDbContext context)
    {
        var model = context.Model;
        if (_byModel.TryGetValue(model, out var value))
        {
            return value;
        }
        value = build(context);
        _byModel.AddOrUpdate(model, value);
        return value;
    }
}

/// <summary>
/// The INSERT of a new row of <typeparamref name="TEntity"/> with every mapped column. An integer key is generated by
/// the database and returned into the row; any other key (a Guid) is the row's own and must be set. Columns, types
/// and conversions come from the EF model, so a new property is inserted without a change here; a property this
/// cannot write as EF would (shadow, generated by the database) is refused when the statement is built.
/// </summary>
internal sealed class EntityInsert<TEntity> where TEntity : class
{
    private static readonly PerModel<EntityInsert<TEntity>> ByModel = new(Build);

    private readonly PreparedStatement _statement;
    private readonly IClrPropertyGetter[] _getters;
    private readonly IProperty _key;
    private readonly bool _keyGenerated;

    private EntityInsert(PreparedStatement statement, IClrPropertyGetter[] getters, IProperty key, bool keyGenerated)
    {
        _statement = statement;
        _getters = getters;
        _key = key;
        _keyGenerated = keyGenerated;
    }

    /// <summary>Inserts <paramref name="row"/>; a key the database generates is set into it.</summary>
    public static async Task InsertAsync(AppDbContext context, TEntity row, CancellationToken ct)
    {
        var insert = ByModel.For(context);
        var values = new object?[insert._getters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = insert._getters[i].GetClrValue(row);
        }
        if (!insert._keyGenerated)
        {
            if (insert._key.GetGetter().HasSentinelValue(row))
            {
                throw new InvalidOperationException($"A new {typeof(TEntity).Name} needs its {insert._key.Name} set before it is inserted.");
            }
            await insert._statement.ExecuteAsync(context, values, ct);
            return;
        }
        var key = await insert._statement.ExecuteScalarAsync(context, values, ct);
        insert._key.PropertyInfo!.SetValue(row, Convert.ChangeType(key, insert._key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static EntityInsert<TEntity> Build(AppDbContext context)
    {
        var (table, _) = PreparedStatement.Resolve<TEntity>(context, []);
        var entity = context.Model.FindEntityType(typeof(TEntity))!;
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var keyGenerated = key.ClrType == typeof(long) || key.ClrType == typeof(int);
        var columns = entity.GetProperties().Where(p => p != key || !keyGenerated).ToList();
        foreach (var column in columns.Where(c => c != key))
        {
            if (column.IsShadowProperty() || column.ValueGenerated != ValueGenerated.Never || column.IsConcurrencyToken)
            {
                throw new InvalidOperationException($"{typeof(TEntity).Name}.{column.Name} is not a plain column: insert it through SaveChanges.");
            }
        }
        var statement = PreparedStatement.Build(context, [.. columns.Select(c => c.GetRelationalTypeMapping())], (quote, values) =>
            $"INSERT INTO {quote(table.Name)} ({string.Join(", ", columns.Select(c => quote(c.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", values)})" + (keyGenerated ? $" RETURNING {quote(key.GetColumnName(table)!)}" : ""));
        return new EntityInsert<TEntity>(statement, [.. columns.Select(c => c.GetGetter())], key, keyGenerated);
    }
}
