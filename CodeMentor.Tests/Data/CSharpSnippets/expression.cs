// ==== arithmetic ====
1 + 2 * 3
// ==== string-method ====
"hello world".ToUpper().Replace("WORLD", "there")
// ==== linq-on-array ====
new[] { 1, 2, 3, 4 }.Where(n => n % 2 == 0).Sum()
// ==== undefined-name ====
numbers.Where(n => n > 2).Count()
// ==== type-error ====
"abc" * 2
// ==== ternary ====
DateTime.Now.Hour < 12 ? "morning" : "afternoon"
// ==== math ====
Math.Sqrt(16) + Math.Pow(2, 10)
// ==== console-call ====
Console.WriteLine("hi")
// ==== interpolation ====
$"Today is {DateTime.Today:yyyy-MM-dd}"
// ==== wrong-member ====
"text".Size
// ==== lambda-call ====
new Func<int, int>(x => x * 2)(21)
// ==== list-init ====
new List<string> { "a", "b" }.Count
// ==== comparison-chain ====
1 < 2 && 3 > 2 || false
// ==== division-by-zero-constant ====
10 / 0
// ==== char-arithmetic ====
(char)('a' + 1)
// ==== string-join ====
string.Join("-", Enumerable.Range(1, 5))
// ==== missing-paren ====
Math.Max(3, 4
// ==== is-pattern ====
(object)42 is int n && n > 40
// ==== enumerable-select ====
Enumerable.Range(0, 5).Select(i => i * i).ToArray()
// ==== null-coalescing ====
((string?)null) ?? "default"
