fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The service keeps timestamps as the text it normalizes and stores (fixed-width UTC, see
    // src/instant.rs), so it takes `date-time` and `uuid` fields as `String`s.
    klue_codegen::configure()
        .typed_formats(false)
        .compile(&["../../apis/events.yaml"])?;
    Ok(())
}
