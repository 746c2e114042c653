// ==== account-clean ====
private decimal _balance;

public decimal Balance => _balance;

public void Deposit(decimal amount)
{
    if (amount <= 0) throw new ArgumentOutOfRangeException(nameof(amount));
    _balance += amount;
}
// ==== uninitialized-non-nullable ====
public string Name { get; set; }
public int Age { get; set; }
// ==== constructor-with-wrong-name ====
private readonly List<string> _items = new();

public Cart()
{
    _items.Add("welcome");
}
// ==== field-and-method ====
private int _count;

public void Increment()
{
    _count++;
}

public int Count => _count;
// ==== readonly-assignment ====
private readonly int _limit = 10;

public void Raise()
{
    _limit = 20;
}
// ==== property-type-mismatch ====
public int Total { get; set; } = "zero";
// ==== static-field-clean ====
private static int s_instances;
public static int Instances => s_instances;

public void Track() => s_instances++;
// ==== const-and-method ====
private const double TaxRate = 0.2;

public decimal WithTax(decimal price)
{
    return price * (1 + TaxRate);
}
// ==== event-clean ====
public event EventHandler? Changed;

public void Touch()
{
    Changed?.Invoke(this, EventArgs.Empty);
}
// ==== unused-private-field ====
private int _unused;

public int Answer() => 42;
// ==== to-string-override ====
public string Title { get; init; } = "";

public override string ToString()
{
    return $"Book: {Title}";
}
// ==== missing-return-type ====
private string _shape = "circle";

public Describe()
{
    return _shape;
}
// ==== nullable-field ====
private string? _nickname;

public int NicknameLength()
{
    return _nickname.Length;
}
// ==== list-property-clean ====
public List<int> Scores { get; } = new();

public double Average()
{
    return Scores.Count == 0 ? 0 : Scores.Average();
}
// ==== indexer ====
private readonly string[] _days = { "Mon", "Tue", "Wed" };

public string this[int index]
{
    get { return _days[index]; }
}
// ==== undefined-field ====
public int Total => _sum;

public void Reset()
{
    _total = 0;
}
// ==== auto-property-required ====
public required string Email { get; set; }
public string Display() => Email.ToLower();
// ==== async-method-member ====
private readonly HttpClient _http = new();

public async Task<int> FetchLengthAsync(string url)
{
    var text = await _http.GetStringAsync(url);
    return text.Length;
}
// ==== mixed-int-long ====
private long _big = 5_000_000_000;

public int Half()
{
    return _big / 2;
}
// ==== equals-without-gethashcode ====
public int Id { get; set; }

public override bool Equals(object? obj)
{
    return obj is not null && obj.GetType() == GetType() && ((dynamic)obj).Id == Id;
}
