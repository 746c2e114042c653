// ==== sum-even-clean ====
public static int SumEven(int[] numbers)
{
    int total = 0;
    foreach (var n in numbers)
    {
        if (n % 2 == 0)
        {
            total += n;
        }
    }
    return total;
}
// ==== missing-semicolon ====
public static int Square(int x)
{
    var result = x * x
    return result;
}
// ==== not-all-paths-return ====
static string Grade(int score)
{
    if (score >= 90)
    {
        return "A";
    }
    else if (score >= 80)
    {
        return "B";
    }
}
// ==== unassigned-local ====
static int Max(List<int> values)
{
    int best;
    foreach (var v in values)
    {
        if (v > best) best = v;
    }
    return best;
}
// ==== string-to-int ====
static int ParseAge(string text)
{
    int age = text;
    return age;
}
// ==== nullable-return ====
static string FindName(Dictionary<int, string> names, int id)
{
    names.TryGetValue(id, out var name);
    return name;
}
// ==== private-clean ====
private bool IsVowel(char c)
{
    return "aeiouAEIOU".IndexOf(c) >= 0;
}
// ==== two-methods-calling ====
public static double Average(IEnumerable<int> values)
{
    return Sum(values) / (double)values.Count();
}

private static int Sum(IEnumerable<int> values)
{
    var total = 0;
    foreach (var v in values) total += v;
    return total;
}
// ==== async-without-await ====
public async Task<int> CountLinesAsync(string path)
{
    var lines = File.ReadAllLines(path);
    return lines.Length;
}
// ==== httpclient-clean ====
public async Task<string> DownloadAsync(string url)
{
    using var client = new HttpClient();
    return await client.GetStringAsync(url);
}
// ==== wrong-method-name ====
static string Shout(string text)
{
    return text.ToUpperCase() + "!";
}
// ==== wrong-argument-count ====
static int Clamp(int value, int min, int max)
{
    return Math.Max(min, Math.Min(value, max, 0));
}
// ==== unreachable ====
static int Abs(int x)
{
    if (x < 0) return -x;
    return x;
    Console.WriteLine("done");
}
// ==== unused-variable ====
static void Greet(string name)
{
    int count = 0;
    Console.WriteLine($"Hello, {name}!");
}
// ==== main-method-alone ====
static void Main(string[] args)
{
    Console.WriteLine("Hello, World!");
}
// ==== extension-method ====
public static bool IsPalindrome(this string text)
{
    var cleaned = new string(text.Where(char.IsLetterOrDigit).Select(char.ToLower).ToArray());
    return cleaned.SequenceEqual(cleaned.Reverse());
}
// ==== expression-bodied ====
public static int Cube(int x) => x * x * x;
public static bool IsEven(int x) => x % 2 = 0;
// ==== null-dereference ====
static int LengthOfFirst(List<string?> words)
{
    string? first = words.FirstOrDefault();
    return first.Length;
}
// ==== generic-clean ====
public static T Largest<T>(IReadOnlyList<T> items) where T : IComparable<T>
{
    var best = items[0];
    for (int i = 1; i < items.Count; i++)
    {
        if (items[i].CompareTo(best) > 0) best = items[i];
    }
    return best;
}
// ==== missing-brace ====
static void CountDown(int from)
{
    for (int i = from; i > 0; i--)
    {
        Console.WriteLine(i);
}
