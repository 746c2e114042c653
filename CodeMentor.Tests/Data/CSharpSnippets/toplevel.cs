// ==== hello-clean ====
Console.WriteLine("Hello, World!");
// ==== loop-clean ====
for (int i = 1; i <= 5; i++)
{
    Console.WriteLine(i * i);
}
// ==== httpclient-clean ====
using var client = new HttpClient();
var body = await client.GetStringAsync("https://example.org");
Console.WriteLine(body.Length);
// ==== readline-nullable ====
Console.Write("Your name: ");
string name = Console.ReadLine();
Console.WriteLine($"Hi {name.ToUpper()}");
// ==== parse-clean ====
Console.Write("Number: ");
if (int.TryParse(Console.ReadLine(), out var n))
{
    Console.WriteLine(n * 2);
}
// ==== missing-semicolon ====
var total = 0;
foreach (var x in new[] { 1, 2, 3 })
{
    total += x
}
Console.WriteLine(total);
// ==== undefined-variable ====
var words = new List<string> { "a", "b" };
Console.WriteLine(word.Count);
// ==== local-function-clean ====
Console.WriteLine(Factorial(5));

static long Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
// ==== local-function-unused ====
Console.WriteLine("start");

int Square(int x) => x * x;
// ==== type-after-statements ====
var p = new Point(1, 2);
Console.WriteLine(p.X + p.Y);

record Point(int X, int Y);
// ==== linq-clean ====
var scores = new[] { 90, 72, 85, 60 };
var passed = scores.Where(s => s >= 70).OrderByDescending(s => s).ToList();
Console.WriteLine(string.Join(", ", passed));
// ==== dictionary-wrong-type ====
var ages = new Dictionary<string, int>();
ages["ada"] = "36";
Console.WriteLine(ages.Count);
// ==== file-io-clean ====
var path = Path.Combine(Path.GetTempPath(), "notes.txt");
File.WriteAllText(path, "hello");
Console.WriteLine(File.ReadAllText(path));
// ==== unassigned-use ====
int result;
if (DateTime.Now.Hour > 12)
{
    result = 1;
}
Console.WriteLine(result);
// ==== task-delay-clean ====
await Task.Delay(100);
Console.WriteLine("waited");
// ==== wrong-method ====
var text = "hello";
Console.WriteLine(text.Length());
// ==== string-builder-needs-using ====
var sb = new StringBuilder();
sb.Append("x");
Console.WriteLine(sb);
// ==== while-true-break-clean ====
var count = 0;
while (true)
{
    count++;
    if (count == 3) break;
}
Console.WriteLine(count);
// ==== unused-variable-warning ====
var a = 1;
int b = 2;
Console.WriteLine(a);
// ==== nullable-array-clean ====
string?[] names = { "ada", null };
foreach (var nm in names)
{
    Console.WriteLine(nm?.Length ?? 0);
}
