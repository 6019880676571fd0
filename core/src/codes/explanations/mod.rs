//! The paragraph on each code, as `bundlec explain CODE` prints it: data only, in two sorted
//! tables split at `m`, each file a readable length.

mod a_to_l;
mod m_to_z;

/// One code and its explanation.
pub(super) struct Code {
    pub(super) code: &'static str,
    pub(super) explanation: &'static str,
}

/// Each table sorted by code, and every code of the first before every code of the second, so
/// [`explain`](super::explain) can search each and [`codes`](super::codes) lists them in order.
pub(super) const TABLES: [&[Code]; 2] = [a_to_l::CODES, m_to_z::CODES];
