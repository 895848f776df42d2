using LlmAdapters.Cli;

return await CliApp.RunAsync(args, CliConsole.FromSystem());
