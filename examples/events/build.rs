fn main() -> Result<(), Box<dyn std::error::Error>> {
    klue_codegen::configure().compile(&["../../apis/events.yaml"])?;
    Ok(())
}
