//! "Did you mean": the known word nearest to a misspelt one.

/// The candidate nearest to `word` when it is near enough to be what was meant: the edit
/// distance (with transpositions: `minLenght` is one edit from `minLength`; case is ignored)
/// at most 1 for words of up to 4 characters, 2 up to 9, 3 beyond. Ties go to the first
/// candidate.
pub(super) fn nearest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let limit = match word.len() {
        0..=4 => 1,
        5..=9 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let other: Vec<char> = candidate.to_lowercase().chars().collect();
        if other.len().abs_diff(word.len()) > limit {
            continue;
        }
        let distance = distance(&word, &other);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours, each one edit.
fn distance(a: &[char], b: &[char]) -> usize {
    // Three rows of the usual table: two back (for swaps), the previous one and this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{distance, nearest};

    fn d(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distance(&a, &b)
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(d("minLenght", "minLength"), 1);
        assert_eq!(d("typ", "type"), 1);
        assert_eq!(d("integre", "integer"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("same", "same"), 0);
    }

    #[test]
    fn nearest_keyword_within_the_limit() {
        let keywords = ["type", "minLength", "maxLength", "format", "required"];
        let near = |word| nearest(word, keywords.iter().copied());
        assert_eq!(near("minLenght"), Some("minLength"));
        assert_eq!(near("typ"), Some("type"));
        assert_eq!(near("MINLENGTH"), Some("minLength"));
        assert_eq!(near("requird"), Some("required"));
        assert_eq!(near("color"), None);
        assert_eq!(near("ty"), None, "two edits is too far for a short word");
    }
}
