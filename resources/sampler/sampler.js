/* The offline sampler page: loads the embedded generator (model-data.js) with TensorFlow.js
 * (tf.min.js beside it) and draws samples. No network: everything is in this folder. */
/* global tf, GAN_MODEL, GAN_GENERATOR, GAN_CARD */
(async function () {
  const $ = (id) => document.getElementById(id)
  const status = $('status')
  try {
    const desc = GAN_GENERATOR
    const json = JSON.parse(GAN_MODEL.modelJson)
    const bytes = Uint8Array.from(atob(GAN_MODEL.weightsBase64), (c) => c.charCodeAt(0))
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer }))
    $('title').textContent = `GAN sampler · ${GAN_CARD.name}`
    $('meta').textContent = `run ${GAN_CARD.runId} · ${GAN_CARD.dataset} · step ${GAN_CARD.step} · TensorFlow.js ${tf.version.tfjs}`
    const label = desc.inputs.find((i) => i.role === 'label')
    const code = desc.inputs.find((i) => i.role === 'code')
    if (desc.inputs.some((i) => i.role === 'condition')) throw new Error('this generator translates images (pix2pix): use sample.mjs with input images')
    if (label) {
      $('label-box').hidden = false
      const names = label.classNames || Array.from({ length: label.classes }, (_, i) => String(i))
      $('label').innerHTML = '<option value="all">one row per class</option>' + names.map((n, i) => `<option value="${i}">${n}</option>`).join('')
    }
    if (code) {
      const parts = [`<label>Category <input id="cat" type="number" min="0" max="${code.categorical - 1}" value="0"></label>`]
      for (let c = 0; c < code.continuous; c++) parts.push(`<label>c${c + 1} <input class="cont" type="range" min="-1" max="1" step="0.05" value="0"></label>`)
      $('codes').innerHTML = parts.join(' ')
    }
    const images = desc.output.kind === 'image'
    const columns = label ? 10 : 8
    // One row per class for "all", two rows of the chosen class otherwise.
    const count = () => (images ? (label ? ($('label').value === 'all' ? label.classes * 10 : 20) : 64) : 1000)
    let n = count()

    function inputsFor(seed) {
      return desc.inputs.map((inp) => {
        if (inp.role === 'latent') {
          const dim = inp.shape[0]
          let z = inp.distribution === 'uniform' ? tf.randomUniform([n, dim], -1, 1, 'float32', seed) : tf.randomNormal([n, dim], 0, 1, 'float32', seed)
          if (label && $('label').value === 'all') z = tf.tile(tf.slice(z, [0, 0], [columns, dim]), [label.classes, 1]) // same z down each column
          return inp.spherical ? tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-8)) : z
        }
        if (inp.role === 'label') {
          const chosen = $('label').value
          return tf.tensor2d(Array.from({ length: n }, (_, i) => (chosen === 'all' ? Math.floor(i / columns) : Number(chosen))), [n, 1])
        }
        if (inp.role === 'code') {
          const cat = Math.min(inp.categorical - 1, Math.max(0, Number($('cat').value) || 0))
          const cont = Array.from(document.querySelectorAll('.cont')).map((s) => Number(s.value))
          const row = Array.from({ length: inp.categorical }, (_, i) => (i === cat ? 1 : 0)).concat(cont)
          return tf.tile(tf.tensor2d([row]), [n, 1])
        }
        throw new Error(`unsupported input role ${inp.role}`)
      })
    }

    async function draw() {
      const seed = Math.max(0, Math.floor(Number($('seed').value) || 0))
      n = count()
      status.textContent = 'Drawing…'
      const values = tf.tidy(() => {
        const ins = inputsFor(seed)
        return model.predict(ins.length === 1 ? ins[0] : ins)
      })
      const data = await values.data()
      values.dispose()
      window.lastSamples = data // for scripts and tests comparing with sample.mjs
      const canvas = $('out')
      const ctx = canvas.getContext('2d')
      ctx.fillStyle = '#000'
      ctx.fillRect(0, 0, canvas.width, canvas.height)
      if (images) {
        const [h, w] = desc.output.shape
        const rows = Math.ceil(n / columns)
        const scale = 2
        canvas.width = columns * (w * scale + 2) + 2
        canvas.height = rows * (h * scale + 2) + 2
        const img = ctx.createImageData(canvas.width, canvas.height)
        for (let k = 0; k < n; k++) {
          const ox = 2 + (k % columns) * (w * scale + 2)
          const oy = 2 + Math.floor(k / columns) * (h * scale + 2)
          for (let y = 0; y < h * scale; y++) for (let x = 0; x < w * scale; x++) {
            const v = Math.round((data[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)] + 1) * 127.5)
            const p = 4 * ((oy + y) * canvas.width + ox + x)
            img.data[p] = img.data[p + 1] = img.data[p + 2] = Math.max(0, Math.min(255, v))
            img.data[p + 3] = 255
          }
        }
        ctx.putImageData(img, 0, 0)
      } else {
        canvas.width = canvas.height = 466
        ctx.fillStyle = '#fff'
        ctx.fillRect(0, 0, 466, 466)
        ctx.fillStyle = '#e0641a'
        // Axes fitted to the data's range (generator.json's bounds), with a margin.
        const [bx, by] = desc.output.bounds || [desc.output.range, desc.output.range]
        const span = Math.max(bx[1] - bx[0], by[1] - by[0]) * 1.15 || 2
        const scale = 466 / span
        const cx = (bx[0] + bx[1]) / 2
        const cy = (by[0] + by[1]) / 2
        for (let k = 0; k < n; k++) ctx.fillRect(233 + (data[2 * k] - cx) * scale, 233 - (data[2 * k + 1] - cy) * scale, 2, 2)
      }
      status.textContent = `${n} samples, seed ${seed} (TensorFlow.js ${tf.getBackend()} backend)`
      status.dataset.drawn = String(seed)
    }

    // A link can name what to draw: index.html?seed=7&label=3 (a class index, or "all").
    const query = new URLSearchParams(location.search)
    if (/^\d+$/.test(query.get('seed') ?? '')) $('seed').value = query.get('seed')
    if (label && [...$('label').options].some((o) => o.value === query.get('label'))) $('label').value = query.get('label')
    $('seed').addEventListener('change', draw)
    $('random').addEventListener('click', () => { $('seed').value = String(Math.floor(Math.random() * 1e6)); draw() })
    $('label').addEventListener('change', draw)
    $('codes').addEventListener('input', draw)
    await draw()
  } catch (e) {
    status.textContent = `Could not draw: ${e.message}`
    status.className = 'error'
  }
})()
