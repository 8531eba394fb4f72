pub(crate) fn cpu(label: &str) {
    if std::env::var_os("KLUE_CODEGEN_TIMING").is_none() {
        return;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    eprintln!("{label}: cpu {} ms", ticks * 10);
}
