fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The benchmark serves the API and calls nothing: no client.
    klue_codegen::configure()
        .build_client(false)
        .compile(&["../../apis/bench.yaml"])?;
    Ok(())
}
