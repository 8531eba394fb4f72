fn main() -> Result<(), Box<dyn std::error::Error>> {
    // No client: klue-core is built without its `client` feature, so the client code it would
    // need is not there. Default stubs: the service implements no operation, it only proves
    // that a trimmed service builds and serves.
    klue_codegen::configure()
        .build_client(false)
        .generate_default_stubs(true)
        .compile(&["../../apis/helloworld.yaml"])?;
    Ok(())
}
