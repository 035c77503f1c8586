using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Settings;

/// <summary>
/// The one way an options section is registered: bound from its configuration path, checked by the area's
/// source-generated validator (attributes, <c>[ValidateObjectMembers]</c>, <c>IValidatableObject</c>) with the
/// path in every message, and validated when the host starts.
/// </summary>
public static class SectionOptionsExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> from <paramref name="section"/> and validates it on start with <typeparamref name="TValidator"/>.</summary>
    public static OptionsBuilder<TOptions> AddValidatedSection<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section, new TValidator()));
        return services.AddSection<TOptions>(section).ValidateOnStart();
    }

    /// <summary>Binds <typeparamref name="TOptions"/> from <paramref name="section"/>, for a section without rules.</summary>
    public static OptionsBuilder<TOptions> AddSection<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        return services.AddOptions<TOptions>().BindConfiguration(section);
    }
}
