using System.Text;
using System.Text.RegularExpressions;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Tests.Support;

namespace CodeMentor.Tests.Unit;

/// <summary>
/// Splitting on documents no one here wrote: the Python tutorial (HTML and its reStructuredText sources)
/// from Debian's python3-doc, the openai npm package's README (Markdown) and TypeScript source (installed
/// by the test script), and the shared-mime-info specification PDF from Debian's shared-mime-info.
/// </summary>
public sealed class MaterialSplitterTests
{
    private static string OpenAiPackage => Path.Combine(ExternalProcess.RepositoryRoot(), "CodeMentor.Tests", "Clients", "openai-node", "node_modules", "openai");

    private static SplitMaterial SplitFile(string path) => MaterialSplitter.Split(Path.GetFileName(path), File.ReadAllBytes(path));

    [Fact]
    public void A_tutorial_page_keeps_its_headings_and_whole_code_blocks_and_drops_the_page_furniture()
    {
        var split = SplitFile(Path.Combine(PythonTutorial.DocsFolder, "tutorial", "datastructures.html"));

        Assert.Equal("5. Data Structures", split.Title);
        Assert.All(split.Passages, p => Assert.StartsWith("5. Data Structures", p.Section, StringComparison.Ordinal));
        Assert.Contains(split.Passages, p => p.Section == "5. Data Structures › 5.1. More on Lists › 5.1.1. Using Lists as Stacks");
        var stack = split.Passages.First(p => p.Section.EndsWith("Using Lists as Stacks", StringComparison.Ordinal));
        Assert.Contains("```\n>>> stack = [3, 4, 5]\n>>> stack.append(6)", stack.Text, StringComparison.Ordinal);
        Assert.All(split.Passages, p =>
        {
            Assert.DoesNotContain("¶", p.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("Table of Contents", p.Text, StringComparison.Ordinal);
            Assert.True(p.Text.Length <= MaterialSplitter.MaxLength + 300, $"{p.Text.Length} characters in {p.Section}");
            Assert.Equal(1, p.Text.Split("```").Length % 2); // every fence closed in its passage
        });
        Assert.All(split.Passages, p => Assert.Null(p.Page));
    }

    [Fact]
    public void Every_tutorial_page_splits_and_nothing_of_its_text_is_lost()
    {
        foreach (var page in PythonTutorial.TutorialPages)
        {
            var split = SplitFile(page);
            Assert.NotEmpty(split.Passages);
            var joined = PythonTutorial.Normalize(string.Join(" ", split.Passages.Select(p => p.Text)));
            // A sentence from the page's first paragraph survives.
            var firstWords = PythonTutorial.Normalize(split.Passages[0].Text).Split(' ').Take(6);
            Assert.Contains(string.Join(' ', firstWords), joined, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_reference_page_gives_each_definition_its_own_passages_headed_by_its_signature()
    {
        var split = SplitFile(Path.Combine(PythonTutorial.DocsFolder, "library", "collections.html"));

        const string deque = "collections — Container datatypes › deque objects › class collections.deque([iterable[, maxlen]])";
        var popleft = Assert.Single(split.Passages, p => p.Section == deque + " › popleft()");
        Assert.Contains("Remove and return an element from the left side of the deque", popleft.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Add x to the right side", popleft.Text, StringComparison.Ordinal);
        Assert.Contains(split.Passages, p => p.Section == deque && p.Text.Contains("generalization of stacks and queues", StringComparison.Ordinal));
        // Once the class's definition ends, the page's own headings are the section again.
        Assert.Contains(split.Passages, p => p.Section == "collections — Container datatypes › deque objects › deque Recipes");
        // Every definition the page links to heads a passage: its name ends the passage's section.
        var html = File.ReadAllText(Path.Combine(PythonTutorial.DocsFolder, "library", "collections.html"));
        var names = Regex.Matches(html, "<dt class=\"sig sig-object py\" id=\"([^\"]+)\"").Select(m => m.Groups[1].Value.Split('.')[^1]).ToList();
        Assert.True(names.Count > 40, $"{names.Count} definitions");
        var headings = split.Passages.Select(p => p.Section.Split(MaterialSplitter.SectionSeparator)[^1]).ToHashSet();
        Assert.All(names, name => Assert.Contains(headings, h => h.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_definition_ends_with_its_list_and_nested_definitions_sit_under_their_class()
    {
        const string html = """
            <html><body><main><h1>Mod</h1><p>Intro.</p>
            <dl class="py class"><dt id="mod.A">class mod.A</dt><dd><p>A thing.</p>
              <dl class="py method"><dt id="mod.A.go">go()</dt><dd><p>Goes.</p></dd></dl>
              <p>More about A.</p></dd></dl>
            <p>After the class.</p>
            <dl><dt>a term without an id</dt><dd>its description</dd></dl>
            </main></body></html>
            """;
        var split = MaterialSplitter.Split("mod.html", Encoding.UTF8.GetBytes(html));

        Assert.Equal(
            [("Mod", "Intro."), ("Mod › class mod.A", "- class mod.A\n\nA thing."), ("Mod › class mod.A › go()", "- go()\n\nGoes."),
             ("Mod › class mod.A", "More about A."), ("Mod", "After the class.\n\n- a term without an id\n\nits description")],
            split.Passages.Select(p => (p.Section, p.Text)));
    }

    [Fact]
    public void The_restructured_text_sources_split_at_their_underlined_headings()
    {
        var split = SplitFile(Path.Combine(PythonTutorial.DocsFolder, "_sources", "tutorial", "controlflow.rst.txt"));

        Assert.Equal("More Control Flow Tools", split.Title);
        Assert.Contains(split.Passages, p => p.Section == "More Control Flow Tools › Defining Functions");
        Assert.Contains(split.Passages, p => p.Section.StartsWith("More Control Flow Tools › More on Defining Functions › Default Argument Values", StringComparison.Ordinal));
    }

    [Fact]
    public void A_markdown_readme_keeps_its_headings_and_fenced_code()
    {
        var split = SplitFile(Path.Combine(OpenAiPackage, "README.md"));

        Assert.Equal("OpenAI TypeScript and JavaScript API Library", split.Title);
        Assert.Contains(split.Passages, p => p.Section.EndsWith("› Usage", StringComparison.Ordinal) && p.Text.Contains("```ts", StringComparison.Ordinal));
        Assert.All(split.Passages, p => Assert.Equal(1, p.Text.Split("```").Length % 2));
    }

    [Fact]
    public void A_source_file_is_split_in_runs_of_lines_named_by_their_numbers()
    {
        var path = Path.Combine(OpenAiPackage, "src", "core", "streaming.ts");
        var split = SplitFile(path);
        var lines = File.ReadAllText(path).Split('\n');

        Assert.True(split.Passages.Count > 3);
        Assert.StartsWith("streaming.ts, lines 1–", split.Passages[0].Section, StringComparison.Ordinal);
        foreach (var passage in split.Passages)
        {
            var range = passage.Section["streaming.ts, lines ".Length..].Split('–').Select(int.Parse).ToArray();
            Assert.Equal(string.Join('\n', lines[(range[0] - 1)..range[1]]).Trim('\n'), passage.Text);
        }
    }

    [Fact]
    public void A_pdf_is_split_page_by_page_with_page_numbers_under_the_headings_of_its_outline()
    {
        const string spec = "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf";
        var split = SplitFile(spec);

        Assert.Contains(split.Passages, p => p.Page == 1);
        Assert.True(split.Passages.Max(p => p.Page) >= 10, $"last page {split.Passages.Max(p => p.Page)}");
        Assert.Equal(split.Passages.Select(p => p.Page), split.Passages.Select(p => p.Page).Order());
        Assert.Contains(split.Passages, p => p.Text.Contains("MIME", StringComparison.Ordinal));
        // Its outline gives the headings: a passage of section 2.4 (page 7) says where it is, under its chapter.
        Assert.Contains(split.Passages, p => p.Page == 7 && p.Section == "2. Unified system › 2.4. The glob files" && p.Text.Contains("glob", StringComparison.OrdinalIgnoreCase));
        Assert.All(split.Passages.Where(p => p.Page >= 2), p => Assert.NotEqual("", p.Section));
        Assert.DoesNotContain(split.Passages, p => p.Text.StartsWith("2.4. The glob files", StringComparison.Ordinal)); // the heading is the section, not text
    }

    [Theory]
    [InlineData("notes.docx", "is not a format course material can be")]
    [InlineData("empty.md", "is empty")]
    public void Unknown_formats_and_empty_files_are_refused_with_a_reason(string name, string reason)
    {
        var content = name == "empty.md" ? Array.Empty<byte>() : Encoding.UTF8.GetBytes("text");
        var ex = Assert.Throws<MaterialRejectedException>(() => MaterialSplitter.Split(name, content));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_and_non_utf8_text_and_a_broken_pdf_are_refused_with_a_reason()
    {
        Assert.Contains("binary", Assert.Throws<MaterialRejectedException>(() => MaterialSplitter.Split("image.txt", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01])).Message, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", Assert.Throws<MaterialRejectedException>(() => MaterialSplitter.Split("latin1.md", [0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF])).Message, StringComparison.Ordinal);
        Assert.Contains("could not be read", Assert.Throws<MaterialRejectedException>(() => MaterialSplitter.Split("broken.pdf", Encoding.ASCII.GetBytes("%PDF-1.4 nothing else"))).Message, StringComparison.Ordinal);
        Assert.Contains("no text", Assert.Throws<MaterialRejectedException>(() => MaterialSplitter.Split("blank.md", Encoding.UTF8.GetBytes("\n\n   \n"))).Message, StringComparison.Ordinal);
    }
}
