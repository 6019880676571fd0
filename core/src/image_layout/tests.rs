use super::*;

const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

fn entry(digest: &str, media_type: &str, platform: Option<&str>, tag: Option<&str>) -> String {
    let platform = platform.map_or(String::new(), |p| {
        let mut parts = p.split('/');
        let (os, arch, variant) = (parts.next().unwrap(), parts.next().unwrap(), parts.next());
        let variant = variant.map_or(String::new(), |v| format!(r#","variant":"{v}""#));
        format!(r#","platform":{{"os":"{os}","architecture":"{arch}"{variant}}}"#)
    });
    let tag = tag.map_or(String::new(), |t| {
        format!(r#","annotations":{{"org.opencontainers.image.ref.name":"{t}"}}"#)
    });
    format!(r#"{{"mediaType":"{media_type}","digest":"{digest}","size":12{platform}{tag}}}"#)
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn index(entries: &[String]) -> String {
    format!(
        r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
        entries.join(",")
    )
}

fn amd64() -> Platform {
    platform_for_arch("x86_64").unwrap()
}

#[test]
fn digests_are_checked_for_form() {
    let digest = Digest::parse(A).unwrap();
    assert_eq!(digest.blob_path(), format!("blobs/sha256/{}", &A[7..]));
    assert_eq!(digest.to_string(), A);
    let long = format!("sha512:{}", "0".repeat(128));
    assert_eq!(
        Digest::parse(&long).unwrap().algorithm,
        DigestAlgorithm::Sha512
    );
    for bad in [
        "sha256:abc",
        "md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaa",
        "sha256:../../../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        assert!(Digest::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_tag_selects_its_entries_and_a_missing_one_lists_the_tags() {
    let text = index(&[
        entry(A, OCI_MANIFEST, None, Some("1.0")),
        entry(B, OCI_MANIFEST, None, Some("latest")),
    ]);
    let entries = read_index(&text, "index.json").unwrap();
    let chosen = select(&entries, &Selector::Tag("latest".into()), "index.json").unwrap();
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].digest.to_string(), B);
    let missing = select(&entries, &Selector::Tag("2.0".into()), "index.json").unwrap_err();
    assert_eq!(missing.code, "image-not-found");
    assert_eq!(
        missing.message,
        "the image has no tag `2.0`; its tags are `1.0`, `latest`"
    );
    let by_digest = Selector::Digest(Digest::parse(A).unwrap());
    assert_eq!(
        select(&entries, &by_digest, "index.json").unwrap()[0]
            .tag
            .as_deref(),
        Some("1.0")
    );
    // Two untagged-selector candidates without platforms: the user must name one.
    let all = select(&entries, &Selector::Only, "index.json").unwrap();
    let ambiguous = choose_platform(&all, &amd64(), "index.json").unwrap_err();
    assert_eq!(ambiguous.code, "image-platform-missing");
    assert!(
        ambiguous.message.contains("`1.0`, `latest`"),
        "{}",
        ambiguous.message
    );
}

#[test]
fn the_nodes_platform_is_chosen_from_a_multi_arch_index() {
    let text = index(&[
        entry(A, OCI_MANIFEST, Some("linux/arm64/v8"), None),
        entry(B, OCI_MANIFEST, Some("linux/amd64"), None),
        entry(C, OCI_MANIFEST, Some("unknown/unknown"), None),
    ]);
    let entries = read_index(&text, "blobs/sha256/x").unwrap();
    let all: Vec<&Descriptor> = entries.iter().collect();
    assert_eq!(
        choose_platform(&all, &amd64(), "x")
            .unwrap()
            .digest
            .to_string(),
        B
    );
    let arm = platform_for_arch("aarch64").unwrap();
    assert_eq!(
        choose_platform(&all, &arm, "x").unwrap().digest.to_string(),
        A
    );
    let riscv = platform_for_arch("riscv64").unwrap();
    let missing = choose_platform(&all, &riscv, "x").unwrap_err();
    assert_eq!(
        missing.message,
        "the image has no manifest for the node's platform linux/riscv64; it has linux/arm64/v8, linux/amd64, unknown/unknown"
    );
    // A lone entry for another platform is refused too.
    let lone = [&entries[0]];
    assert!(choose_platform(&lone, &amd64(), "x").is_err());
}

#[test]
fn index_and_manifest_kinds_docker_types_included() {
    let docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
    let docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
    let text = index(&[
        entry(A, OCI_INDEX, None, Some("multi")),
        entry(B, docker_list, None, None),
        entry(C, docker_manifest, None, None),
    ]);
    let entries = read_index(&text, "index.json").unwrap();
    let kinds: Vec<BlobKind> = entries
        .iter()
        .map(|e| blob_kind(e, "index.json").unwrap())
        .collect();
    assert_eq!(
        kinds,
        [BlobKind::Index, BlobKind::Index, BlobKind::Manifest]
    );
    let artifact = index(&[entry(
        A,
        "application/vnd.cncf.helm.config.v1+json",
        None,
        None,
    )]);
    let entries = read_index(&artifact, "index.json").unwrap();
    assert_eq!(
        blob_kind(&entries[0], "index.json").unwrap_err().code,
        "unsupported-media-type"
    );
}

#[test]
fn manifests_give_config_and_layers_with_compression() {
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}",
        "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{A}","size":5}},
        "layers":[
          {{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{B}","size":7}},
          {{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"{C}","size":8}},
          {{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{A}","size":9}},
          {{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{B}","size":10}}]}}"#
    );
    let manifest = read_manifest(&text, "blobs/sha256/m").unwrap();
    assert_eq!(manifest.config.size, 5);
    let compressions: Vec<Compression> = manifest.layers.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        compressions,
        [
            Compression::Gzip,
            Compression::Zstd,
            Compression::Gzip,
            Compression::None
        ]
    );
    let encrypted = text.replace("tar+zstd", "tar+zstd+encrypted");
    let refused = read_manifest(&encrypted, "blobs/sha256/m").unwrap_err();
    assert_eq!(refused.code, "unsupported-media-type");
    assert_eq!(refused.path, "blobs/sha256/m");
    let wrong_kind = text.replace(OCI_MANIFEST, OCI_INDEX);
    assert_eq!(
        read_manifest(&wrong_kind, "m").unwrap_err().code,
        "unsupported-media-type"
    );
    let bad_digest = text.replace(&C[7..], "zz");
    assert_eq!(
        read_manifest(&bad_digest, "m").unwrap_err().code,
        "bad-image-layout"
    );
    assert_eq!(
        read_manifest("[]", "m").unwrap_err().code,
        "bad-image-layout"
    );
    let schema1 = text.replace("\"schemaVersion\":2", "\"schemaVersion\":1");
    assert!(read_manifest(&schema1, "m")
        .unwrap_err()
        .message
        .contains("schemaVersion 1"));
}

#[test]
fn a_config_for_another_architecture_is_refused() {
    let arm = r#"{"architecture":"arm64","os":"linux","config":{}}"#;
    let refused = check_config_platform(arm, &amd64(), "blobs/sha256/c").unwrap_err();
    assert_eq!(
        refused.message,
        "the image is built for linux/arm64, and the node is linux/amd64"
    );
    assert!(
        check_config_platform(r#"{"architecture":"amd64","os":"linux"}"#, &amd64(), "c").is_ok()
    );
    assert!(check_config_platform(r#"{"config":{}}"#, &amd64(), "c").is_ok());
}
