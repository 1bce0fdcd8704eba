using System.Text;
using System.Text.Json;
using LoadBench.Syntax.Json;

namespace LoadBench.Syntax.Tests.Json;

public sealed class JsonSourceReaderTests
{
    private const string File = "scenarios/test.json";

    private static JsonSourceNode Parse(string json) => JsonSourceReader.Parse(Encoding.UTF8.GetBytes(json), File);

    private static JsonSourceError Fails(string json) => Assert.Throws<JsonSourceException>(() => Parse(json)).Error;

    [Fact]
    public void Parse_Nested_GivesEachValueItsPathLineAndColumn()
    {
        var root = Assert.IsType<JsonSourceObject>(Parse("{\n  \"scenarios\": [\n    { \"name\": \"a\", \"copies\": -3 }\n  ]\n}"));

        var list = Assert.IsType<JsonSourceArray>(root["scenarios"]);
        var entry = Assert.IsType<JsonSourceObject>(Assert.Single(list.Items));
        var copies = Assert.IsType<JsonSourceValue>(entry["copies"]);
        Assert.Equal(("scenarios[0].copies", 3, 30), (copies.Path, copies.Line, copies.Column));
        Assert.Equal((JsonTokenType.Number, "-3"), (copies.Kind, copies.Text));
        Assert.Equal(("scenarios[0]", 3, 5), (entry.Path, entry.Line, entry.Column));
        var name = entry.Properties[0];
        Assert.Equal(("name", 3, 7), (name.Name, name.Line, name.Column));
        Assert.Null(entry["missing"]);
    }

    [Fact]
    public void Parse_ColumnsCountCharactersNotBytes_AndSkipTheBom()
    {
        // "é" is two bytes in UTF-8 and the BOM three: neither may shift the column a person sees.
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes("{ \"é\": \"é\", \"n\": 1 }")).ToArray();

        var root = Assert.IsType<JsonSourceObject>(JsonSourceReader.Parse(bytes, File));

        Assert.Equal((1, 1), (root.Line, root.Column));
        Assert.Equal(18, root["n"]!.Column);
    }

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreAllowed()
    {
        var root = Assert.IsType<JsonSourceObject>(Parse("{\n  // a person wrote this\n  \"a\": [1, 2,],\n}"));

        Assert.Equal(2, Assert.IsType<JsonSourceArray>(root["a"]).Items.Count);
    }

    [Theory]
    [InlineData("{ \"a\": \"x\" }", "the string \"x\"")]
    [InlineData("{ \"a\": 2.5 }", "2.5")]
    [InlineData("{ \"a\": true }", "true")]
    [InlineData("{ \"a\": null }", "null")]
    [InlineData("{ \"a\": [] }", "a list")]
    [InlineData("{ \"a\": {} }", "an object")]
    public void Describe_NamesWhatWasFound(string json, string expected)
    {
        Assert.Equal(expected, ((JsonSourceObject)Parse(json))["a"]!.Describe());
    }

    [Fact]
    public void Parse_DuplicateKey_IsRefusedAtTheSecondWithFieldAndFirstLine()
    {
        var error = Fails("{\n  \"defaults\": {\n    \"warmUp\": \"1s\",\n    \"warmUp\": \"2s\"\n  }\n}");

        Assert.Equal((File, 4, 5, "defaults.warmUp"), (error.File, error.Line, error.Column, error.Field));
        Assert.Equal($"{File}:4:5: field 'defaults.warmUp': is written twice (first at line 3); keep one", error.ToString());
    }

    [Fact]
    public void Parse_SameKeyInTwoObjects_IsFine()
    {
        var root = Assert.IsType<JsonSourceObject>(Parse("""{ "a": { "name": 1 }, "b": { "name": 2 } }"""));

        Assert.Equal("2", ((JsonSourceValue)((JsonSourceObject)root["b"]!)["name"]!).Text);
    }

    [Theory]
    [InlineData("{ \"a\": 1 }\n{ \"b\": 2 }", 2, 1)]
    [InlineData("{ \"a\": 1 } x", 1, 12)]
    [InlineData("[1]\n\n  ]", 3, 3)]
    public void Parse_ContentAfterTheDocument_IsRefusedWithItsPlace(string json, int line, int column)
    {
        var error = Fails(json);

        Assert.Equal((File, line, column, ""), (error.File, error.Line, error.Column, error.Field));
        Assert.Equal($"{File}:{line}:{column}: unexpected content after the end of the JSON document", error.ToString());
    }

    [Fact]
    public void Parse_MalformedJson_NamesLineAndColumnWithoutTheReadersOwnSuffix()
    {
        var error = Fails("{\n  \"é\": 1\n  \"b\": 2\n}");

        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.StartsWith("malformed JSON: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t\n")]
    public void Parse_Empty_SaysSo(string json)
    {
        var error = Fails(json);

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("the file is empty; expected a JSON object", error.Message);
    }

    [Fact]
    public void Parse_MalformedAfterAWideCharacter_CountsTheColumnInCharacters()
    {
        var error = Fails("{ \"é\": x }");

        Assert.Equal((1, 8), (error.Line, error.Column)); // x is the 8th character, its byte offset + 1 is 9
    }

    [Fact]
    public void Parse_OnlyAComment_IsMalformedAtItsEnd()
    {
        var error = Fails("\n// nothing else\n");

        Assert.Equal(3, error.Line);
        Assert.StartsWith("malformed JSON: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_PutsEveryErrorOnItsOwnLine()
    {
        var text = JsonSourceError.Lines([new JsonSourceError("f.json", 1, 2, "", "bad"), new JsonSourceError("f.json", 3, 4, "a.b", "worse")]);

        Assert.Equal($"f.json:1:2: bad{Environment.NewLine}f.json:3:4: field 'a.b': worse", text);
    }
}
