//! Quantities written by people: memory sizes, octal modes, CPU counts.
//! Each returns a message for the caller to place; none wraps or guesses.

/// Bytes from `512Mi`, `1.5Gi`, `2G` or `1048576`.
///
/// Binary suffixes are powers of 1024, decimal ones powers of 1000 (as in
/// Kubernetes). Lower-case `m` is refused: Kubernetes reads it as milli and
/// Docker as mebi.
pub fn parse_memory(text: &str) -> Result<u64, MemoryError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let multiplier: u64 = match suffix {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "m" | "mi" | "mb" | "MB" | "Mb" => return Err(MemoryError::AmbiguousMega),
        _ => return Err(MemoryError::Syntax),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    if whole.is_empty() || fraction.contains('.') || (number.contains('.') && fraction.is_empty()) {
        return Err(MemoryError::Syntax);
    }
    let whole: u64 = whole.parse().map_err(|_| MemoryError::Overflow)?;
    let mut bytes = whole.checked_mul(multiplier).ok_or(MemoryError::Overflow)?;
    if !fraction.is_empty() {
        // Exact decimal arithmetic: fraction digits × multiplier must divide by 10^digits.
        let digits = u32::try_from(fraction.len()).map_err(|_| MemoryError::Syntax)?;
        let scale = 10u128.checked_pow(digits).ok_or(MemoryError::Syntax)?;
        let numerator: u128 = fraction.parse().map_err(|_| MemoryError::Syntax)?;
        let scaled = numerator
            .checked_mul(u128::from(multiplier))
            .ok_or(MemoryError::Overflow)?;
        if scaled % scale != 0 {
            return Err(MemoryError::NotWholeBytes);
        }
        let extra = u64::try_from(scaled / scale).map_err(|_| MemoryError::Overflow)?;
        bytes = bytes.checked_add(extra).ok_or(MemoryError::Overflow)?;
    }
    if bytes > i64::MAX as u64 {
        return Err(MemoryError::Overflow);
    }
    Ok(bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryError {
    Syntax,
    AmbiguousMega,
    NotWholeBytes,
    Overflow,
}

impl MemoryError {
    pub fn message(self, text: &str) -> String {
        match self {
            MemoryError::Syntax => format!("`{text}` is not a memory size"),
            MemoryError::AmbiguousMega => {
                format!("`{text}` is ambiguous: `m` means milli to Kubernetes and mebi to Docker")
            }
            MemoryError::NotWholeBytes => format!("`{text}` is not a whole number of bytes"),
            MemoryError::Overflow => format!("`{text}` is too large"),
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            MemoryError::AmbiguousMega => "write `Mi` for 2^20 bytes or `M` for 10^6 bytes",
            _ => "use a number of bytes or a suffix: Ki Mi Gi Ti Pi (powers of 1024) or k M G T P (powers of 1000)",
        }
    }
}

/// An octal permission: `1777`, `"1777"` and `0o1777` all mean 0o1777.
pub fn parse_octal_mode(text: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not an octal mode"));
    }
    if digits.bytes().any(|b| b == b'8' || b == b'9') {
        return Err(format!(
            "`{text}` has a digit 8 or 9, which octal does not have"
        ));
    }
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o7777 => Ok(mode),
        _ => Err(format!("`{text}` is above 7777")),
    }
}

/// The CFS period every quota is expressed over, in microseconds.
pub const CPU_PERIOD_US: u64 = 100_000;
/// The smallest quota the kernel accepts, in microseconds.
pub const CPU_MIN_QUOTA_US: i64 = 1_000;
/// More CPUs than any machine has; keeps the quota far from overflow. Messages print the whole
/// number: formatting an `f64` would bring float printing (15 KB) into the WebAssembly.
const CPU_MAX_WHOLE: u32 = 100_000;
const CPU_MAX: f64 = CPU_MAX_WHOLE as f64;

/// Why a CPU count is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuError {
    NotFinite,
    NotPositive,
    TooMany,
}

impl CpuError {
    /// The message, quoting the count as it was written (`1e308`, not its 309 digits).
    pub fn message(self, written: &str) -> String {
        match self {
            CpuError::NotFinite => format!("`{written}` is not a finite number of CPUs"),
            CpuError::NotPositive => format!("the CPU count `{written}` must be above 0"),
            CpuError::TooMany => {
                format!("`{written}` CPUs is more than any machine has (at most {CPU_MAX_WHOLE})")
            }
        }
    }
}

/// The CFS quota for `cpus` CPUs over [`CPU_PERIOD_US`], at least [`CPU_MIN_QUOTA_US`].
pub fn cpu_quota(cpus: f64) -> Result<i64, CpuError> {
    if !cpus.is_finite() {
        return Err(CpuError::NotFinite);
    }
    if cpus <= 0.0 {
        return Err(CpuError::NotPositive);
    }
    if cpus > CPU_MAX {
        return Err(CpuError::TooMany);
    }
    // In range: at most 1e10, far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let quota = (cpus * CPU_PERIOD_US as f64).round() as i64;
    Ok(quota.max(CPU_MIN_QUOTA_US))
}

/// A CPU count as written: decimal only (`2`, `1.5`, `.5`, `1e3`, quoted or not). YAML also
/// reads `0x10`, `0o20`, `.inf` and `.nan` as numbers, but nobody means 16 CPUs by `0x10`.
pub fn parse_cpus(text: &str) -> Option<f64> {
    let text = text.trim();
    let decimal = crate::yaml::is_int_syntax(text) || crate::yaml::is_float_syntax(text);
    decimal.then(|| text.parse::<f64>().ok()).flatten()
}

/// A cpuset list such as `0-3,8,10-11`.
pub fn valid_cpuset(text: &str) -> bool {
    !text.is_empty()
        && text.split(',').all(|part| {
            let mut bounds = part.splitn(2, '-');
            let low = bounds.next().and_then(|s| s.parse::<u32>().ok());
            match (low, bounds.next()) {
                (Some(_), None) => true,
                (Some(low), Some(high)) => high.parse::<u32>().is_ok_and(|high| high >= low),
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("512Mi"), Ok(512 << 20));
        assert_eq!(parse_memory("1.5Gi"), Ok(3 << 29));
        assert_eq!(parse_memory("2G"), Ok(2_000_000_000));
        assert_eq!(parse_memory("1048576"), Ok(1_048_576));
        assert_eq!(parse_memory("100m"), Err(MemoryError::AmbiguousMega));
        assert_eq!(parse_memory("1.3Ki"), Err(MemoryError::NotWholeBytes));
        assert_eq!(parse_memory("99999999999Pi"), Err(MemoryError::Overflow));
        assert_eq!(
            parse_memory("18446744073709551616"),
            Err(MemoryError::Overflow)
        );
        assert_eq!(parse_memory("8Ei"), Err(MemoryError::Syntax));
        assert_eq!(parse_memory("-1Gi"), Err(MemoryError::Syntax));
        assert_eq!(parse_memory("1."), Err(MemoryError::Syntax));
    }

    #[test]
    fn octal_modes() {
        assert_eq!(parse_octal_mode("1777"), Ok(0o1777));
        assert_eq!(parse_octal_mode("0o1777"), Ok(0o1777));
        assert_eq!(parse_octal_mode("755"), Ok(0o755));
        assert!(parse_octal_mode("1778").is_err());
        assert!(parse_octal_mode("17777").is_err());
    }

    #[test]
    fn cpu_quotas() {
        assert_eq!(cpu_quota(1.5), Ok(150_000));
        assert_eq!(cpu_quota(0.001), Ok(1_000));
        assert_eq!(cpu_quota(0.0), Err(CpuError::NotPositive));
        assert_eq!(cpu_quota(-1.0), Err(CpuError::NotPositive));
        assert_eq!(cpu_quota(f64::NAN), Err(CpuError::NotFinite));
        assert_eq!(cpu_quota(f64::INFINITY), Err(CpuError::NotFinite));
        assert_eq!(cpu_quota(1e308), Err(CpuError::TooMany));
    }

    /// Issue 9: `0x10` was read as 16 CPUs.
    #[test]
    fn cpu_counts_are_decimal_only() {
        for (written, cpus) in [
            ("2", 2.0),
            ("1.5", 1.5),
            (" 0.5 ", 0.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("+1", 1.0),
            ("-1.5", -1.5),
            ("1e3", 1000.0),
        ] {
            assert_eq!(parse_cpus(written), Some(cpus), "{written}");
        }
        for written in [
            "0x10", "0o20", "-0x1", ".inf", "+.inf", ".nan", "1_000", "0b1", "inf", "NaN", "1e",
            "", "x", "1.5.2", "0x1p3",
        ] {
            assert_eq!(parse_cpus(written), None, "{written}");
        }
    }

    /// Issue 9: `1e308` CPUs was reported as a 309-digit number.
    #[test]
    fn cpu_messages_quote_the_count_as_written() {
        assert_eq!(
            CpuError::TooMany.message("1e308"),
            "`1e308` CPUs is more than any machine has (at most 100000)"
        );
    }

    #[test]
    fn cpusets() {
        assert!(valid_cpuset("0-3,8"));
        assert!(!valid_cpuset("3-1"));
        assert!(!valid_cpuset("a"));
    }
}
