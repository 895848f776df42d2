using System.CommandLine;
using System.CommandLine.Invocation;
using LlmAdapters.Cli.Commands;
using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli;

/// <summary>The command line of <c>llm-adapters</c>: every command, option and help text, wired to the command classes in one place.</summary>
internal static class CliApp
{
    /// <summary>The command's name (the RootCommand would take the process's name: testhost under a test runner).</summary>
    public const string ToolName = "llm-adapters";

    private const string KeysHelp =
        "Variables (API keys, model...) come from a settings file (--settings, else $LLM_ADAPTERS_SETTINGS, else ./llm-adapters.json: "
        + "the LlmAdapters configuration section, { \"Profiles\": { \"name\": { \"Adapter\", \"BaseUrl\", \"Variables\" } } }), "
        + "then environment variables LLM_ADAPTERS_<NAME>_<VARIABLE> (LLM_ADAPTERS_KIMI_APIKEY, LLM_ADAPTERS_KIMI_BASE_URL), "
        + "then --var and --base-url; later wins. Secret values are never printed.";

    private const string ConvertersHelp =
        "An assembly (.dll built against the LlmAdapters package) whose public classes implementing ILlmConverter, with a public parameterless constructor, "
        + "are converters the definition files may name; repeat for more. Converters declared in a file's \"converters\" section need no option.";

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = Build(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine(console.PaintError("error: ", AnsiColor.Red) + error.Message);
            }

            var command = parse.CommandResult.Command;
            var name = command == root ? ToolName : $"{ToolName} {command.Name}";
            console.Error.WriteLine($"Run '{name} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }

    internal static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand(
            "llm-adapters: check, explore and try LlmAdapters definition files (https://github.com/llmadapters/llmadapters). "
            + ExitCodes.HelpText);
        root.Subcommands.Add(ValidateCommand(console));
        root.Subcommands.Add(ListCommand(console));
        root.Subcommands.Add(CallCommand(console));
        root.Subcommands.Add(ReplayCommand(console));
        root.Subcommands.Add(TestCommand(console));
        root.Subcommands.Add(SchemaCommand(console));
        return root;
    }

    private static Command ValidateCommand(CliConsole console)
    {
        var paths = new Argument<string[]>("paths") { Description = "Definition files or folders (default: ./adapters).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(
            "validate",
            "Load definition files and print every problem as file:line: error: JSON path: message. Exit code 0 when all are valid, 3 when any is not, 2 when a path does not exist; for CI.")
        {
            paths,
        };
        var converters = ConvertersOption();
        command.Options.Add(converters);
        command.SetAction(parse => new ValidateCommand(console).Run(parse.GetValue(paths) ?? [], parse.GetValue(converters) ?? []));
        return command;
    }

    private static Command ListCommand(CliConsole console)
    {
        var paths = new Argument<string[]>("paths") { Description = "Definition files or folders to add to the shipped adapters (a file replaces a shipped adapter of the same name).", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of calls." };
        var adapters = AdaptersOption();
        var converters = ConvertersOption();
        var command = new Command("list", "List the adapters, their calls, apitypes, the variables each call needs and the inputs it accepts.")
        {
            paths,
            json,
            adapters,
            converters,
        };
        command.SetAction(parse => new ListCommand(console).Run(
            [.. (parse.GetValue(paths) ?? []).Concat(parse.GetValue(adapters) ?? [])], parse.GetValue(json), parse.GetValue(converters) ?? []));
        return command;
    }

    private static Command CallCommand(CliConsole console)
    {
        var target = new Argument<string>("adapter|profile") { Description = "A profile of the settings file, or an adapter name (openai, anthropic...), or a definition file." };
        var prompt = new Argument<string?>("prompt") { Description = "What to ask; a call that needs no prompt (models) takes none.", Arity = ArgumentArity.ZeroOrOne };
        var call = CallOption();
        var json = new Option<bool>("--json") { Description = "Print the whole response as JSON (text, fields, status code, usage, finish reason) instead of streaming the text." };
        var common = new CommonOptions();
        var request = new RequestOptionSet();
        var command = new Command(
            "call",
            "Run a call and stream its text as it arrives. An async call shows its status as it is polled (a live line on a terminal, else one line per status, on the error output). "
            + KeysHelp)
        {
            target,
            prompt,
            call,
            json,
        };
        common.AddTo(command);
        request.AddTo(command);
        command.SetAction((parse, cancellationToken) => new CallCommand(console).RunAsync(
            new CallOptions(common.Read(parse, parse.GetRequiredValue(target)), parse.GetValue(call)!, parse.GetValue(prompt), parse.GetValue(json), request.Read(parse)),
            cancellationToken));
        return command;
    }

    private static Command ReplayCommand(CliConsole console)
    {
        var target = new Argument<string>("adapter") { Description = "An adapter name, a profile, or a definition file being written." };
        var call = CallOption();
        var responses = new Option<string[]>("--response", "-r") { Description = "A recorded response body or stream; give it again for each further request (the submit, then polls, of an async call; the last one repeats).", HelpName = "file" };
        var request = new Option<bool>("--request") { Description = "Print the exact request that would be sent (method, URL, headers with secrets masked, body)." };
        var contentType = new Option<string>("--content-type") { Description = "The content type to serve the recordings with (default: guessed: text/event-stream, application/x-ndjson, application/json or text/plain)." };
        var status = new Option<int>("--status") { Description = "The HTTP status to serve the recordings with, to try the call's error mapping.", DefaultValueFactory = _ => 200 };
        var prompt = new Option<string>("--prompt") { Description = "The prompt the request is built from (default: Hello)." };
        var json = new Option<bool>("--json") { Description = "Print the response as JSON." };
        var common = new CommonOptions();
        var requestOptions = new RequestOptionSet();
        var command = new Command(
            "replay",
            "Run a call's response side against a recorded body or stream on disk, with no network, and print the extracted text and fields: the authoring loop for a new definition. Variables not given get placeholders such as <apikey>.")
        {
            target,
            call,
            responses,
            request,
            contentType,
            status,
            prompt,
            json,
        };
        common.AddTo(command);
        requestOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => new ReplayCommand(console).RunAsync(
            new ReplayOptions(
                common.Read(parse, parse.GetRequiredValue(target)),
                parse.GetValue(call)!,
                parse.GetValue(responses) ?? [],
                parse.GetValue(request),
                parse.GetValue(contentType),
                parse.GetValue(status),
                parse.GetValue(prompt),
                parse.GetValue(json),
                requestOptions.Read(parse)),
            cancellationToken));
        return command;
    }

    private static Command TestCommand(CliConsole console)
    {
        var target = new Argument<string>("profile") { Description = "A profile of the settings file, or an adapter name with --base-url and --var." };
        var call = CallOption();
        var common = new CommonOptions();
        var command = new Command(
            "test",
            "A quick round trip: send a fixed system and user prompt and report success, latency and the first words of the answer, or the error in plain words. "
            + KeysHelp)
        {
            target,
            call,
        };
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => new TestCommand(console).RunAsync(common.Read(parse, parse.GetRequiredValue(target)), parse.GetValue(call)!, cancellationToken));
        return command;
    }

    private static Command SchemaCommand(CliConsole console)
    {
        var command = new Command(
            "schema",
            "Print the JSON Schema of definition files (llm-adapters schema > llm-adapter.schema.json, then \"$schema\": \"./llm-adapter.schema.json\" in your files, for editor completion and checks).");
        command.SetAction(_ => new SchemaCommand(console).Run());
        return command;
    }

    private static Option<string> CallOption() => new("--call", "-c") { Description = "The call to run.", DefaultValueFactory = _ => "chat" };

    private static Option<string[]> AdaptersOption() => new("--adapters", "-a") { Description = "Definition files or folders to load besides the shipped adapters; repeat for more.", HelpName = "path" };

    private static Option<string[]> ConvertersOption() => new("--converters") { Description = ConvertersHelp, HelpName = "dll" };

    /// <summary>The request options of call and replay: --system, --max-tokens, --temperature, --image.</summary>
    private sealed class RequestOptionSet
    {
        private readonly Option<string> _system = new("--system") { Description = "The system prompt (${system}, and first in ${messages})." };
        private readonly Option<int?> _maxTokens = new("--max-tokens") { Description = "The most tokens the answer may have (${max_tokens})." };
        private readonly Option<double?> _temperature = new("--temperature") { Description = "The sampling temperature (${temperature})." };
        private readonly Option<string[]> _images = new("--image") { Description = "An image for the prompt (${images}): an http(s) URL, or a .png, .jpg, .gif or .webp file sent inline; repeat for more.", HelpName = "url|file" };

        public void AddTo(Command command)
        {
            command.Options.Add(_system);
            command.Options.Add(_maxTokens);
            command.Options.Add(_temperature);
            command.Options.Add(_images);
        }

        public RequestOptions Read(ParseResult parse)
            => new(parse.GetValue(_system), parse.GetValue(_maxTokens), parse.GetValue(_temperature), parse.GetValue(_images) ?? []);
    }

    /// <summary>The options every command that builds a profile has: --var, --var-json, --base-url, --adapters, --converters, --settings.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string[]> _variables = new("--var")
        {
            Description = "A variable, such as --var apikey=sk-... or --var model=gpt-4o-mini; repeat for more. A value that is JSON (a number, true, false, null, [...] or {...}) is sent as JSON: "
                + "--var max_tokens=100 sends 100; quote it to send text (--var 'groupid=\"123\"'). Secrets (apikey, token...) are always text.",
            HelpName = "name=value",
        };

        private readonly Option<string[]> _jsonVariables = new("--var-json") { Description = "A variable whose value must be JSON, such as --var-json 'images=[{\"url\": \"https://...\"}]'; repeat for more.", HelpName = "name=json" };
        private readonly Option<string> _baseUrl = new("--base-url") { Description = "The vendor's base URL, overriding the profile's." };
        private readonly Option<string[]> _adapters = AdaptersOption();
        private readonly Option<string[]> _converters = ConvertersOption();
        private readonly Option<string> _settings = new("--settings") { Description = "A settings file with profiles (default: $LLM_ADAPTERS_SETTINGS, else ./llm-adapters.json).", HelpName = "file" };

        public void AddTo(Command command)
        {
            command.Options.Add(_variables);
            command.Options.Add(_jsonVariables);
            command.Options.Add(_baseUrl);
            command.Options.Add(_adapters);
            command.Options.Add(_converters);
            command.Options.Add(_settings);
        }

        public ProfileOptions Read(ParseResult parse, string target)
            => new(target, parse.GetValue(_adapters) ?? [], parse.GetValue(_settings), parse.GetValue(_variables) ?? [], parse.GetValue(_baseUrl), parse.GetValue(_jsonVariables) ?? [], parse.GetValue(_converters) ?? []);
    }
}
