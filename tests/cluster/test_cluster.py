def test_smoke(node_a, node_b):
    assert node_a.get("/healthz").status == 200
    assert node_b.get("/healthz").status == 200
