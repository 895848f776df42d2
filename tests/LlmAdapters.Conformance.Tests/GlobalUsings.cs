global using LlmAdapters.Testing;
global using NUnit.Framework;
