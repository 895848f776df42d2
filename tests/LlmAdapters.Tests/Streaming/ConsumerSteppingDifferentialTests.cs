#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Json;
using LlmAdapters.Execution;
using LlmAdapters.Tests.Fuzzing;
using LlmAdapters.Tests.TestSupport;
using static LlmAdapters.Tests.Fuzzing.StreamFuzzTests;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// The consumer's fast path changes nothing: a chunk already buffered is stepped by the stream's MoveNextAsync instead of
/// the runner's iterator (StreamCall), and the observed stream (ObservedStream) yields it without an async step. Every
/// case runs three ways with the same bytes in the same reads: the fast path on, the fast path off (every chunk through
/// the runner), and the fast path on with every read completing asynchronously (every wait through the async paths).
/// Everything a caller can see must be the same: each string, each update's text, event type, fields, usage, finish
/// reason and tool calls, the whole response, and the exception's type and message. Some cases stop early or cancel after
/// a few items, through the method's token or the enumerator's. Generated and mutated bodies of every framing and
/// response shape, and AWS event streams through the shipped bedrock adapter. Deterministic (fixed seed).
/// </summary>
[Category("Fuzzing")]
public class ConsumerSteppingDifferentialTests
{
    private const int Seed = 20_261_207;
    private const int CasesPerShape = 120;
    private const int AwsCases = 200;

    private enum Ending
    {
        ReadAll,
        StopEarly,
        CancelByMethodToken,
        CancelByEnumeratorToken,
    }

    [Test]
    public async Task FastPath_GivesWhatTheRunnerGives_OverGeneratedAndMutatedStreams()
    {
        var run = new FuzzRun($"consumer stepping, fast path against the runner (seed {Seed})");
        var caseNumber = 0;
        foreach (var shape in StreamDifferentialTests.AllShapes)
        {
            for (var i = 0; i < CasesPerShape; i++, caseNumber++)
            {
                var random = FuzzRun.CaseRandom(Seed, caseNumber);
                var (kind, body, contentType, _) = StreamDifferentialTests.Generate(shape, random, caseNumber);
                var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", MaxStreamLineBytes = MaxLine };
                await RunCaseAsync(run, $"{shape.Name} {kind}", caseNumber, body, random, (stream, consumerSteps) => Client(shape.Catalog, profile, stream, contentType, consumerSteps));
            }
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(StreamDifferentialTests.AllShapes.Count() * CasesPerShape));
    }

    [Test]
    public async Task FastPath_GivesWhatTheRunnerGives_OverAwsEventStreams()
    {
        var run = new FuzzRun($"consumer stepping over aws-eventstream, fast path against the runner (seed {Seed + 1})");
        var profile = StreamDifferentialTests.BedrockProfile();
        for (var caseNumber = 0; caseNumber < AwsCases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed + 1, caseNumber);
            var (kind, body, _) = StreamDifferentialTests.AwsCase(random);
            await RunCaseAsync(run, $"aws-eventstream {kind}", caseNumber, body, random, (stream, consumerSteps) => Client(LlmCatalog.BuiltIn, profile, stream, "application/vnd.amazon.eventstream", consumerSteps));
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(AwsCases));
    }

    /// <summary>Runs every method three ways over the body and records whether what the caller saw differs.</summary>
    private static async Task RunCaseAsync(FuzzRun run, string label, int caseNumber, byte[] body, Random random, Func<Stream, bool, (ILlmClient Client, IDisposable Handler)> client)
    {
        var failures = new List<string>();
        var kinds = new List<string>();
        foreach (var method in Enum.GetValues<Method>())
        {
            var readMode = random.Next(ChunkedStream.Modes);
            var readSeed = random.Next();
            var ending = random.Next(8) switch
            {
                4 => Ending.StopEarly,
                5 => Ending.CancelByMethodToken,
                6 => Ending.CancelByEnumeratorToken,
                _ => Ending.ReadAll,
            };
            var after = random.Next(0, 4);
            var outcomes = new List<string>();
            foreach (var (consumerSteps, asyncReads) in new[] { (true, false), (false, false), (true, true) })
            {
                Stream stream = new ChunkedStream(body, new Random(readSeed), readMode);
                if (asyncReads)
                {
                    stream = new YieldingStream(stream);
                }

                var (llm, handler) = client(stream, consumerSteps);
                using (handler)
                {
                    outcomes.Add(await OutcomeAsync(llm, method, method == Method.CallAsync ? Ending.ReadAll : ending, after));
                }
            }

            kinds.Add(outcomes[0].Split('\n')[^1]);
            if (outcomes[1] != outcomes[0])
            {
                failures.Add($"{method} ({ending} after {after}, read mode {readMode}): the runner alone gave{Environment.NewLine}{outcomes[1]}{Environment.NewLine}but the fast path gave{Environment.NewLine}{outcomes[0]}");
            }

            if (outcomes[2] != outcomes[0])
            {
                failures.Add($"{method} ({ending} after {after}, read mode {readMode}): with reads that wait it gave{Environment.NewLine}{outcomes[2]}{Environment.NewLine}but with reads that do not{Environment.NewLine}{outcomes[0]}");
            }
        }

        var failure = failures.Count == 0 ? null : $"seed {Seed}, case {caseNumber} ({label}): {string.Join(Environment.NewLine, failures)}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}";
        run.Record(label, failure is null ? "same for the caller" : "failure", failure, null, $"case {caseNumber}");
    }

    private static (ILlmClient Client, IDisposable Handler) Client(LlmCatalog catalog, LlmProfile profile, Stream body, string contentType, bool consumerSteps)
    {
        var handler = new BodyHandler(body, contentType);
        var client = catalog.CreateClient(profile, handler);
        ((LlmClient)client).Runner.ConsumerSteps = consumerSteps;
        return (client, handler);
    }

    /// <summary>Everything the caller sees, as text: each item, then how it ended (the exception's type and message).</summary>
    private static async Task<string> OutcomeAsync(ILlmClient client, Method method, Ending ending, int after)
    {
        var seen = new StringBuilder();
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
            var methodToken = ending == Ending.CancelByMethodToken ? cancel.Token : token;
            var request = new LlmRequest { Prompt = "hi" };
            switch (method)
            {
                case Method.StreamAsync:
                {
                    var items = client.StreamAsync(request, methodToken);
                    await foreach (var text in items.WithCancellation(ending == Ending.CancelByEnumeratorToken ? cancel.Token : default))
                    {
                        seen.Append("text ").Append(JsonSerializer.Serialize(text)).Append('\n');
                        if (--after < 0 && Stop(ending, cancel))
                        {
                            break;
                        }
                    }

                    break;
                }

                case Method.StreamUpdatesAsync:
                {
                    var items = client.StreamUpdatesAsync(request, methodToken);
                    await foreach (var update in items.WithCancellation(ending == Ending.CancelByEnumeratorToken ? cancel.Token : default))
                    {
                        seen.Append("update ").Append(JsonSerializer.Serialize(update.Text))
                            .Append(" event ").Append(update.EventType)
                            .Append(" fields ").Append(Fields(update.Fields))
                            .Append(" usage ").Append(update.Usage?.InputTokens).Append('/').Append(update.Usage?.OutputTokens)
                            .Append(" finish ").Append(update.FinishReason)
                            .Append(" calls ").Append(string.Join(",", update.ToolCalls.Select(c => $"{c.Id}:{c.Name}:{c.Arguments}")))
                            .Append('\n');
                        if (--after < 0 && Stop(ending, cancel))
                        {
                            break;
                        }
                    }

                    break;
                }

                case Method.CallAsync:
                {
                    var response = await client.CallAsync(request, methodToken);
                    seen.Append("response ").Append(JsonSerializer.Serialize(response.Text))
                        .Append(" status ").Append(response.StatusCode)
                        .Append(" fields ").Append(Fields(response.Fields))
                        .Append(" usage ").Append(response.Usage?.InputTokens).Append('/').Append(response.Usage?.OutputTokens)
                        .Append(" finish ").Append(response.FinishReason)
                        .Append('\n');
                    break;
                }

                default:
                    throw new InvalidOperationException(method.ToString());
            }
        });
        return seen.Append(error is null ? "ended" : $"raised {error.GetType().FullName}: {error.Message}").ToString();
    }

    /// <summary>True to break out of the loop; for a cancelling ending, cancels and reads on (the next step must raise).</summary>
    private static bool Stop(Ending ending, CancellationTokenSource cancel)
    {
        switch (ending)
        {
            case Ending.StopEarly:
                return true;
            case Ending.CancelByMethodToken:
            case Ending.CancelByEnumeratorToken:
                cancel.Cancel();
                return false;
            case Ending.ReadAll:
                return false;
            default:
                throw new InvalidOperationException(ending.ToString());
        }
    }

    private static string Fields(IReadOnlyDictionary<string, JsonElement> fields)
        => string.Join(";", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}"));

    /// <summary>A body whose every read completes asynchronously, so that every wait for bytes goes through the async paths.</summary>
    private sealed class YieldingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
