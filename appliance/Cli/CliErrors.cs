using StepAudio.Appliance.Composition;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Appliance.Cli;

/// <summary>Turns the known failures into one clear line and an exit code, never a stack trace.</summary>
internal static class CliErrors
{
    public static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (WavFormatException ex)
        {
            return Fail(ExitCodes.BadInput, ex.Message);
        }
        catch (OptionsException ex)
        {
            return Fail(ExitCodes.BadInput, ex.Message);
        }
        catch (ModelIntegrityException ex)
        {
            return Fail(ExitCodes.ModelError, ex.Message);
        }
        catch (ModelContractException ex)
        {
            return Fail(ExitCodes.ModelError, ex.Message);
        }
        catch (VocoderConfigException ex)
        {
            return Fail(ExitCodes.ModelError, ex.Message);
        }
        catch (CmvnFormatException ex)
        {
            return Fail(ExitCodes.ModelError, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            // The JSON configuration provider's way of saying a file is not JSON.
            return Fail(ExitCodes.BadInput, ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.Unexpected, "cancelled.");
        }
        catch (IOException ex)
        {
            return Fail(ExitCodes.BadInput, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail(ExitCodes.BadInput, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail(ExitCodes.Unexpected, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
