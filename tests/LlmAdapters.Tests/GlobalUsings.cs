global using LlmAdapters.Testing;
global using NUnit.Framework;

// Tests of one client share nothing; run fixtures in parallel to keep CI short.
[assembly: Parallelizable(ParallelScope.Fixtures)]
