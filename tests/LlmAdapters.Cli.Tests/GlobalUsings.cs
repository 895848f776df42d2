global using LlmAdapters.Cli.Tests.TestSupport;
global using NUnit.Framework;
