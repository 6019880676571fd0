//! Stable sorting through positions, so that the WebAssembly modules carry one copy of the sort
//! code for every caller: each element type and comparator would bring its own (about 8 KB).

use std::cmp::Ordering;

/// The positions `0..len`, stably sorted by `compare`.
#[inline(never)]
pub(crate) fn sorted_positions(
    len: usize,
    compare: &mut dyn FnMut(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// `items`, stably sorted by `compare` (as `slice::sort_by`).
pub(crate) fn sort_by<T>(items: Vec<T>, compare: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    let order = sorted_positions(items.len(), &mut |a, b| {
        match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            // Positions are below `items.len()`.
            _ => Ordering::Equal,
        }
    });
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e'), (0, 'f')];
        let sorted = sort_by(items, |a, b| a.0.cmp(&b.0));
        assert_eq!(
            sorted,
            vec![(0, 'f'), (1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]
        );
        assert_eq!(sort_by(Vec::<u8>::new(), |a, b| a.cmp(b)), Vec::<u8>::new());
    }
}
