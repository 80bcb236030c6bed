{
  "targets": [
    {
      "target_name": "gwb_native",
      "sources": ["gwb_native.c", "gwb_mlp.c"],
      "cflags": ["-O3", "-std=c11"],
      "conditions": [["OS=='linux'", {"cflags": ["-fopenmp"], "ldflags": ["-fopenmp"], "libraries": ["-ldl", "-lm"]}]],
      "xcode_settings": {"OTHER_CFLAGS": ["-O3"]},
      "msvs_settings": {"VCCLCompilerTool": {"Optimization": 2}}
    }
  ]
}
