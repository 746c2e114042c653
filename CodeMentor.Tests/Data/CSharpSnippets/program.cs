// ==== hello-clean ====
using System;

namespace HelloApp
{
    class Program
    {
        static void Main(string[] args)
        {
            Console.WriteLine("Hello, World!");
        }
    }
}
// ==== file-scoped-namespace-clean ====
namespace Shapes;

public class Circle
{
    public double Radius { get; }

    public Circle(double radius) => Radius = radius;

    public double Area() => Math.PI * Radius * Radius;
}
// ==== main-missing-semicolon ====
class Program
{
    static void Main()
    {
        int x = 5
        Console.WriteLine(x);
    }
}
// ==== class-uninitialized-property ====
public class Person
{
    public string Name { get; set; }
    public string? Nickname { get; set; }
}
// ==== interface-not-implemented ====
public interface IShape
{
    double Area();
}

public class Square : IShape
{
    public double Side { get; set; }
}
// ==== record-clean ====
public record Point(int X, int Y)
{
    public double DistanceTo(Point other) => Math.Sqrt(Math.Pow(X - other.X, 2) + Math.Pow(Y - other.Y, 2));
}
// ==== two-classes-clean ====
public class Animal
{
    public virtual string Speak() => "...";
}

public class Dog : Animal
{
    public override string Speak() => "Woof";
}
// ==== missing-override ====
public class Animal
{
    public virtual string Speak() => "...";
}

public class Cat : Animal
{
    public string Speak() => "Meow";
}
// ==== main-with-bug ====
using System.Collections.Generic;

class Program
{
    static void Main()
    {
        var numbers = new List<int> { 3, 1, 2 };
        numbers.Sort();
        string first = numbers[0];
        Console.WriteLine(first);
    }
}
// ==== async-main-clean ====
class Program
{
    static async Task Main()
    {
        using var client = new HttpClient();
        var html = await client.GetStringAsync("https://example.org");
        Console.WriteLine(html.Length);
    }
}
// ==== enum-and-switch ====
enum Color { Red, Green, Blue }

class Painter
{
    public string Name(Color c) => c switch
    {
        Color.Red => "red",
        Color.Green => "green",
    };
}
// ==== struct-clean ====
public struct Money
{
    public decimal Amount { get; }
    public string Currency { get; }

    public Money(decimal amount, string currency)
    {
        Amount = amount;
        Currency = currency;
    }
}
// ==== static-class-instance ====
public static class MathHelpers
{
    public static int Twice(int x) => x * 2;
}

class Program
{
    static void Main()
    {
        var helpers = new MathHelpers();
        Console.WriteLine(MathHelpers.Twice(4));
    }
}
// ==== missing-using-stringbuilder-clean ====
using System.Text;

class Report
{
    public string Build(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines) sb.AppendLine(line);
        return sb.ToString();
    }
}
// ==== undefined-type ====
class Library
{
    private readonly List<Book> _books = new();

    public int Count => _books.Count;
}
// ==== abstract-instantiation ====
abstract class Shape
{
    public abstract double Area();
}

class Program
{
    static void Main()
    {
        var s = new Shape();
        Console.WriteLine(s.Area());
    }
}
// ==== generic-class-clean ====
public class Stack<T>
{
    private readonly List<T> _items = new();

    public void Push(T item) => _items.Add(item);

    public T Pop()
    {
        var item = _items[^1];
        _items.RemoveAt(_items.Count - 1);
        return item;
    }
}
// ==== main-unused-and-unreachable ====
class Program
{
    static int Main()
    {
        int unused;
        return 0;
        Console.WriteLine("never");
    }
}
// ==== private-setter-assignment ====
class Counter
{
    public int Value { get; private set; }
}

class Program
{
    static void Main()
    {
        var c = new Counter();
        c.Value = 3;
    }
}
// ==== nullable-parameter-warning ====
class Greeter
{
    public string Greet(string name) => "Hello " + name.Trim();

    public void Run()
    {
        string? maybe = null;
        Console.WriteLine(Greet(maybe));
    }
}
// ==== lowercase-type-name ====
class point
{
    public int x;
    public int y;
}
// ==== static-class-comparison ====
class Program
{
    static void Main()
    {
        int? maybe = null;
        if (maybe == null) Console.WriteLine("none");
        var now = DateTime.Now;
        if (now == null) Console.WriteLine("impossible");
    }
}
