using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messaging.Configuration;

/// <summary>
/// Binds an options class from its configuration section, checking enum values first: the configuration binder's own
/// message for a typo (<c>QueueType=Quorom</c>) names neither the allowed values nor the fix, while every other
/// invalid setting is reported as "key, value, allowed values". Nested option classes (<c>Tls</c>, <c>Retry</c>,
/// <c>Health</c>) are checked too.
/// </summary>
public static class OptionsBinding
{
    /// <summary>Registers <typeparamref name="TOptions"/> bound from <paramref name="section"/> and validated at start-up
    /// (<c>ValidateOnStart</c>): every registered <c>IValidateOptions&lt;TOptions&gt;</c> runs when the host starts.</summary>
    /// <typeparam name="TOptions">The options class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section, for example <c>Messaging:RabbitMq</c>.</param>
    /// <returns>The options builder, for more validation.</returns>
    /// <exception cref="OptionsValidationException">When the options are first read: an enum value in the section is not one
    /// of the enum's names (the message names the key and the allowed values).</exception>
    public static OptionsBuilder<TOptions> BindAndValidate<TOptions>(this IServiceCollection services, IConfigurationSection section) where TOptions : class
    {
        return services.AddOptions<TOptions>().Configure(options =>
        {
            var errors = new List<string>();
            CheckEnums(section, typeof(TOptions), errors);
            if (errors.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), errors);
            section.Bind(options);
        }).ValidateOnStart();
    }

    private static void CheckEnums(IConfigurationSection section, Type type, List<string> errors)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsEnum)
            {
                var value = section[property.Name];
                if (!string.IsNullOrEmpty(value) && !IsEnumValue(propertyType, value))
                    errors.Add($"{section.Path}:{property.Name} is '{value}'; allowed values: {string.Join(", ", Enum.GetNames(propertyType))}.");
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && !propertyType.IsArray && propertyType.Namespace?.StartsWith("Messaging", StringComparison.Ordinal) == true)
            {
                CheckEnums(section.GetSection(property.Name), propertyType, errors);
            }
        }
    }

    /// <summary>A name (any case) or a comma list of names for a [Flags] enum, as the binder accepts; numbers are left
    /// to the validators, which check <see cref="Enum.IsDefined(Type, object)"/>.</summary>
    private static bool IsEnumValue(Type type, string value) =>
        Enum.TryParse(type, value, ignoreCase: true, out _);
}
