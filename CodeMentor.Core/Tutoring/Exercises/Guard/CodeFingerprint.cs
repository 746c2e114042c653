namespace CodeMentor.Core.Tutoring.Exercises.Guard;

/// <summary>
/// What a piece of code does, in a form that survives restyling: the code is cut into statements,
/// each rewritten canonically (x += 1 and x = x + 1 alike; foreach, for…of and for…in alike;
/// declarations' types and <c>this.</c>/<c>self.</c> dropped; ===, and/or/not, elif, True/None and
/// friends unified; quotes ignored), local names replaced by a placeholder so renaming does not
/// matter, and then described by weighted features: the literals, the functions and members it
/// calls, and every three-token window of a statement that holds more than names and punctuation.
/// Statements are compared as a set, so reordering and splitting do not matter either.
/// </summary>
internal sealed class CodeFingerprint
{
    public const string Name = "§";

    private CodeFingerprint(List<List<string>> statements, Dictionary<string, double> features, HashSet<string> statementKeys)
    {
        Statements = statements;
        Features = features;
        StatementKeys = statementKeys;
    }

    /// <summary>Canonical statements with names kept (to recognise a line quoted verbatim).</summary>
    public List<List<string>> Statements { get; }

    /// <summary>Feature → weight.</summary>
    public Dictionary<string, double> Features { get; }

    public HashSet<string> StatementKeys { get; }

    public double TotalWeight => Features.Values.Sum();

    public static CodeFingerprint Of(IEnumerable<string> code, CodeLanguage language, ISet<string>? excludeStatements = null)
    {
        var statements = new List<List<string>>();
        foreach (var piece in code)
        {
            var canonical = SplitStatements(CodeLexer.Lex(piece, language), language).Select(Canonicalize).Where(s => s.Count > 0).ToList();
            RewriteIndexLoops(canonical);
            statements.AddRange(canonical.Where(s => !(excludeStatements?.Contains(Key(s)) ?? false)));
        }
        return FromStatements(statements);
    }

    /// <summary>A fingerprint of canonical statements (from <see cref="Statements"/> of others).</summary>
    public static CodeFingerprint FromStatements(List<List<string>> statements)
    {
        var features = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var statement in statements)
        {
            AddFeatures(Abstract(statement), features);
        }
        return new CodeFingerprint(statements, features, statements.Select(Key).ToHashSet(StringComparer.Ordinal));
    }

    public static string Key(List<string> statement) => string.Join(' ', statement);

    /// <summary>The features of one canonical statement.</summary>
    public static IEnumerable<string> FeaturesOf(List<string> statement)
    {
        var features = new Dictionary<string, double>(StringComparer.Ordinal);
        AddFeatures(Abstract(statement), features);
        return features.Keys;
    }

    /// <summary>Weight of the features of <paramref name="part"/> that this fingerprint also has.</summary>
    public double SharedWeight(IEnumerable<string> part) =>
        part.Where(Features.ContainsKey).Distinct(StringComparer.Ordinal).Sum(f => Features[f]);

    // ---- statements ---------------------------------------------------------------------------

    /// <summary>Cuts at line ends outside brackets, at semicolons, and at block braces. In Python
    /// braces are dict and set literals; elsewhere a brace after =, (, [, ',', ':' or return opens an
    /// object or collection literal, not a block.</summary>
    private static IEnumerable<List<CodeToken>> SplitStatements(List<CodeToken> tokens, CodeLanguage language)
    {
        var current = new List<CodeToken>();
        var depth = 0;
        var literalBraces = new Stack<bool>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var isOperator = t.Kind == TokenKind.Operator;
            var blockBrace = false;
            if (isOperator && t.Text == "{")
            {
                var previous = current.Count > 0 ? current[^1].Text : "";
                var literal = language == CodeLanguage.Python || depth > 0 || previous is "=" or "(" or "[" or "," or ":" or "return" or "?" or "??";
                literalBraces.Push(literal);
                if (literal)
                {
                    depth++;
                }
                blockBrace = !literal;
            }
            else if (isOperator && t.Text == "}")
            {
                var literal = literalBraces.Count > 0 ? literalBraces.Pop() : language == CodeLanguage.Python;
                if (literal)
                {
                    depth = Math.Max(0, depth - 1);
                }
                blockBrace = !literal;
            }
            else if (isOperator && t.Text is "(" or "[")
            {
                depth++;
            }
            else if (isOperator && t.Text is ")" or "]")
            {
                depth = Math.Max(0, depth - 1);
            }
            var ends = blockBrace
                || (t.Kind == TokenKind.Newline && depth == 0)
                || (isOperator && t.Text == ";" && depth == 0);
            if (ends)
            {
                if (current.Count > 0)
                {
                    yield return current;
                }
                current = [];
            }
            else if (t.Kind != TokenKind.Newline)
            {
                current.Add(t);
            }
        }
        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static readonly HashSet<string> Dropped =
    [
        "var", "let", "const", "int", "long", "short", "byte", "uint", "ulong", "string", "bool", "char", "double", "float", "decimal",
        "object", "auto", "final", "readonly", "static", "public", "private", "protected", "internal", "async", "override", "virtual",
        "sealed", "void", "dynamic", "unsigned", "signed",
    ];

    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["==="] = "==", ["!=="] = "!=", ["and"] = "&&", ["or"] = "||", ["not"] = "!", ["True"] = "true", ["False"] = "false",
        ["None"] = "null", ["undefined"] = "null", ["nil"] = "null", ["of"] = "in", ["foreach"] = "for", ["elif"] = "if",
        ["?."] = ".",
    };

    private static readonly HashSet<string> Compound = ["+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=", "**=", "<<=", ">>=", "??="];

    /// <summary>Rewrites one statement into its canonical token sequence (names kept).</summary>
    private static List<string> Canonicalize(List<CodeToken> statement)
    {
        var words = new List<string>(statement.Count);
        for (var i = 0; i < statement.Count; i++)
        {
            var t = statement[i];
            var text = t.Text;
            if (t.Kind == TokenKind.Identifier)
            {
                // this.x and self.x are x.
                if (text is "this" or "self" && i + 1 < statement.Count && statement[i + 1].Text == ".")
                {
                    i++;
                    continue;
                }
                if (Dropped.Contains(text) && !(i + 1 < statement.Count && statement[i + 1].Text is "." or "("))
                {
                    continue;
                }
                // "is null" / "is not null" are comparisons.
                if (text == "is" && i + 1 < statement.Count)
                {
                    if (statement[i + 1].Text == "not")
                    {
                        words.Add("!=");
                        i++;
                    }
                    else
                    {
                        words.Add("==");
                    }
                    continue;
                }
            }
            words.Add(Synonyms.TryGetValue(text, out var same) ? same : text);
        }

        // Python block colons and C-like condition parentheses say nothing about the algorithm.
        if (words.Count > 0 && words[^1] == ":")
        {
            words.RemoveAt(words.Count - 1);
        }
        if (words.Count > 2 && words[0] is "if" or "while" or "for" or "switch" && words[1] == "(")
        {
            var close = MatchingParen(words, 1);
            if (close > 0)
            {
                words.RemoveAt(close);
                words.RemoveAt(1);
            }
        }
        if (words.Count > 1 && words[0] == "else" && words[1] == "if")
        {
            words.RemoveAt(0);
        }

        ExpandIncrements(words);
        ExpandCompoundAssignment(words);
        return words;
    }

    private static int MatchingParen(List<string> words, int open)
    {
        var depth = 0;
        for (var i = open; i < words.Count; i++)
        {
            depth += words[i] == "(" ? 1 : words[i] == ")" ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>i++ and ++i (a statement or a for-loop step) become i = i + 1.</summary>
    private static void ExpandIncrements(List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] is not ("++" or "--"))
            {
                continue;
            }
            var op = words[i] == "++" ? "+" : "-";
            var nameAt = i > 0 && IsName(words[i - 1]) ? i - 1 : i + 1 < words.Count && IsName(words[i + 1]) ? i + 1 : -1;
            if (nameAt < 0)
            {
                continue;
            }
            var name = words[nameAt];
            var start = Math.Min(i, nameAt);
            words.RemoveRange(start, 2);
            words.InsertRange(start, [name, "=", name, op, "1"]);
            i = start + 4;
        }
    }

    /// <summary>a op= b becomes a = a op b (the target is what stands before the operator).</summary>
    private static void ExpandCompoundAssignment(List<string> words)
    {
        var at = words.FindIndex(w => Compound.Contains(w));
        if (at <= 0)
        {
            return;
        }
        var target = words.Take(at).ToList();
        var op = words[at][..^1];
        words.RemoveAt(at);
        words.InsertRange(at, ["=", .. target, op]);
    }

    /// <summary>
    /// An index loop over a collection is a loop over its elements: <c>for (int i = 0; i &lt; xs.Length; i++)</c>
    /// and <c>for i in range(len(xs))</c> become <c>for i in xs</c>, and <c>xs[i]</c> after them becomes <c>i</c>;
    /// starting at k &gt; 0 becomes a loop over <c>xs[k:]</c>.
    /// </summary>
    private static void RewriteIndexLoops(List<List<string>> statements)
    {
        for (var s = 0; s < statements.Count; s++)
        {
            if (IndexLoop(statements[s]) is not { } loop)
            {
                continue;
            }
            List<string> header = loop.Start == "0" ? ["for", loop.Index, "in", loop.Collection] : ["for", loop.Index, "in", loop.Collection, "[", loop.Start, ":", "]"];
            statements[s] = header;
            for (var t = s + 1; t < statements.Count; t++)
            {
                var words = statements[t];
                for (var i = 0; i + 3 < words.Count; i++)
                {
                    if (words[i] == loop.Collection && words[i + 1] == "[" && words[i + 2] == loop.Index && words[i + 3] == "]")
                    {
                        words.RemoveRange(i, 4);
                        words.Insert(i, loop.Index);
                    }
                }
            }
        }
    }

    private sealed record IndexLoopShape(string Index, string Collection, string Start);

    private static IndexLoopShape? IndexLoop(List<string> w)
    {
        // C-like, after canonicalization: for i = 0 ; i < xs . Length ; i = i + 1
        if (w.Count >= 15 && w[0] == "for" && IsName(w[1]) && w[2] == "=" && w[4] == ";" && w[5] == w[1] && w[6] == "<"
            && IsName(w[7]) && w[8] == "." && w[9] is "Length" or "length" or "Count" && w[10] == ";"
            && w[11] == w[1] && w[12] == "=" && w[13] == w[1] && w[14] == "+" && w.Count == 16 && w[15] == "1")
        {
            return new IndexLoopShape(w[1], w[7], w[3]);
        }
        // Python: for i in range ( len ( xs ) ) or range ( k , len ( xs ) )
        if (w.Count >= 9 && w[0] == "for" && IsName(w[1]) && w[2] == "in" && w[3] == "range" && w[4] == "(")
        {
            var start = "0";
            var at = 5;
            if (w.Count >= 11 && w[6] == ",")
            {
                start = w[5];
                at = 7;
            }
            if (w.Count == at + 5 && w[at] == "len" && w[at + 1] == "(" && IsName(w[at + 2]) && w[at + 3] == ")" && w[at + 4] == ")")
            {
                return new IndexLoopShape(w[1], w[at + 2], start);
            }
        }
        return null;
    }

    private static bool IsName(string word) => word.Length > 0 && (char.IsLetter(word[0]) || word[0] == '_');

    // ---- features -----------------------------------------------------------------------------

    private static readonly HashSet<string> Keywords =
    [
        "def", "return", "for", "while", "if", "else", "in", "function", "class", "new", "true", "false", "null", "break",
        "continue", "throw", "raise", "try", "catch", "except", "finally", "yield", "lambda", "import", "from", "using", "pass",
        "switch", "case", "default", "do", "with", "await", "typeof", "instanceof", "out", "ref", "is", "as", "var", "get", "set",
    ];

    /// <summary>Local names become §; keywords, literals, operators, called functions, members
    /// and types after <c>new</c> stay, because they carry the algorithm.</summary>
    private static List<string> Abstract(List<string> words)
    {
        var result = new List<string>(words.Count);
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            var keep = !IsName(w) || Keywords.Contains(w)
                || (i > 0 && words[i - 1] is "." or "new")
                || (i + 1 < words.Count && words[i + 1] == "(" && !(i > 0 && words[i - 1] is "def" or "function"));
            result.Add(keep ? w : Name);
        }
        return result;
    }

    private const double MinimumWindowWeight = 0.3;

    private static double TokenWeight(string token, string? previous)
    {
        if (token == Name || token.Length == 0)
        {
            return 0;
        }
        if (token[0] == '"')
        {
            return token.Length <= 3 ? 0.5 : 3; // "" and one-character strings are common
        }
        if (char.IsDigit(token[0]))
        {
            return token is "0" or "1" ? 0.5 : 2;
        }
        if (IsName(token))
        {
            if (Keywords.Contains(token))
            {
                return token is "true" or "false" or "null" or "var" or "in" ? 0.25 : 0.5;
            }
            return previous == "." ? 2 : 1.5; // a member access or call: s.lower(), sorted(…)
        }
        return token switch
        {
            "(" or ")" or "[" or "]" or "." or ":" => 0.1,
            "," or "=" => 0.05,
            "=>" or "->" => 0.5,
            _ => 1, // comparisons, arithmetic, logic
        };
    }

    private static void AddFeatures(List<string> words, Dictionary<string, double> features)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var w = TokenWeight(words[i], i > 0 ? words[i - 1] : null);
            // Literals and named calls count on their own as well.
            if (w >= 1.5)
            {
                features.TryAdd("1:" + words[i], w);
            }
        }
        if (words.Count < 3)
        {
            var weight = words.Select((w, i) => TokenWeight(w, i > 0 ? words[i - 1] : null)).Sum();
            if (weight >= 1)
            {
                features.TryAdd("s:" + string.Join(' ', words), weight);
            }
            return;
        }
        for (var i = 0; i + 3 <= words.Count; i++)
        {
            var weight = 0.0;
            for (var k = i; k < i + 3; k++)
            {
                weight += TokenWeight(words[k], k > 0 ? words[k - 1] : null);
            }
            // Every window counts a little (the structure of a statement is part of the algorithm);
            // windows with literals, calls and operators count most.
            features.TryAdd("3:" + words[i] + " " + words[i + 1] + " " + words[i + 2], Math.Clamp(weight, MinimumWindowWeight, 4));
        }
    }
}
