// The three.js side of the 3-D explorer: one box per layer on a rail, orbit/zoom/pan (mouse and touch) through
// OrbitControls, picking by ray, and textures (feature maps, unit bars, the input) put on a block's front face.
// Renders only when something changed (a drag, a texture, a resize): an idle view costs nothing.
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

import { type Block, railLength } from "../../lib/blocks3d";
import type { Mosaic } from "../../lib/activations";

const FRONT_FACE = 5; // BoxGeometry material order: +x, -x, +y, -y, +z, -z (the face towards the input)
const BACKGROUND = 0xf8fafc;
const HIGHLIGHT = 0x111827;

export interface SceneHandle {
  setColours: (colours: string[]) => void;
  setTexture: (index: number, mosaic: Mosaic | null) => void;
  clearTextures: () => void;
  highlight: (index: number | null) => void;
  pick: (clientX: number, clientY: number) => number | null;
  /** The block under a point and whether the ray hits its activation face. */
  hit: (clientX: number, clientY: number) => { index: number; front: boolean } | null;
  projected: (index: number) => { x: number; y: number } | null;
  frames: () => number;
  dispose: () => void;
}


export function createScene(container: HTMLElement, blocks: Block[], colours: string[]): SceneHandle {
  // preserveDrawingBuffer: the canvas can be read back (PNG export, pixel checks) after a frame.
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
  renderer.setClearColor(BACKGROUND);
  container.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.add(new THREE.AmbientLight(0xffffff, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.8);
  sun.position.set(8, 12, 10);
  scene.add(sun);

  const length = Math.max(8, railLength(blocks));
  const tallest = Math.max(1, ...blocks.map((b) => b.size.height));
  const distance = 0.85 * Math.max(length, 1.6 * tallest);
  const camera = new THREE.PerspectiveCamera(40, 1, 0.1, distance * 20);
  // Three-quarter view from the input end, a little above: the input and the first (largest) feature maps are
  // nearest, and every block's input-side face, where its activations are drawn, faces the camera.
  // Aimed a little towards the input (perspective makes the near end larger, so it needs the room) and a little
  // above the axis, which keeps the near blocks inside the frame.
  const target = new THREE.Vector3(0, 0.05 * tallest, -0.12 * length);
  camera.position.copy(new THREE.Vector3(0.7, 0.26, -0.65).normalize().multiplyScalar(distance).add(target));
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.enableDamping = false; // no inertia: frames stop as soon as the pointer does
  controls.screenSpacePanning = true;
  controls.target.copy(target);

  const geometry = new THREE.BoxGeometry(1, 1, 1);
  const meshes = blocks.map((block, index) => {
    const materials = Array.from({ length: 6 }, () => new THREE.MeshLambertMaterial({ color: colours[index] }));
    const mesh = new THREE.Mesh(geometry, materials);
    mesh.scale.set(block.size.width, block.size.height, block.size.depth);
    mesh.position.set(0, 0, block.z);
    mesh.userData.index = index;
    scene.add(mesh);
    return mesh;
  });
  const outline = new THREE.LineSegments(new THREE.EdgesGeometry(geometry), new THREE.LineBasicMaterial({ color: HIGHLIGHT }));
  outline.visible = false;
  scene.add(outline);
  const textures: (THREE.DataTexture | null)[] = blocks.map(() => null);

  let frames = 0;
  let pending = false;
  const render = () => {
    pending = false;
    renderer.render(scene, camera);
    frames++;
  };
  const invalidate = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(render);
    }
  };
  controls.addEventListener("change", invalidate);

  const resize = () => {
    const width = container.clientWidth || 600;
    const height = container.clientHeight || 360;
    renderer.setSize(width, height, false);
    renderer.domElement.style.width = "100%";
    renderer.domElement.style.height = "100%";
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    invalidate();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(container);
  resize();
  controls.update();

  const ray = new THREE.Raycaster();
  const pointer = new THREE.Vector2();
  const faceMaterial = (index: number) => (meshes[index].material as THREE.MeshLambertMaterial[])[FRONT_FACE];

  return {
    setColours(next) {
      meshes.forEach((mesh, i) => {
        for (const material of mesh.material as THREE.MeshLambertMaterial[]) {
          material.color.set(material.map ? "#ffffff" : next[i]);
        }
        (mesh.userData as { colour?: string }).colour = next[i];
      });
      invalidate();
    },
    setTexture(index, mosaic) {
      textures[index]?.dispose();
      textures[index] = null;
      const material = faceMaterial(index);
      if (mosaic) {
        const texture = new THREE.DataTexture(flipRows(mosaic), mosaic.width, mosaic.height, THREE.RGBAFormat);
        texture.magFilter = THREE.NearestFilter;
        texture.colorSpace = THREE.SRGBColorSpace;
        texture.needsUpdate = true;
        textures[index] = texture;
        material.map = texture;
        material.color.set("#ffffff");
      } else {
        material.map = null;
        material.color.set((meshes[index].userData as { colour?: string }).colour ?? material.color);
      }
      material.needsUpdate = true;
      invalidate();
    },
    clearTextures() {
      textures.forEach((texture, i) => texture && this.setTexture(i, null));
    },
    highlight(index) {
      outline.visible = index != null;
      if (index != null) {
        outline.scale.copy(meshes[index].scale).multiplyScalar(1.04);
        outline.position.copy(meshes[index].position);
      }
      invalidate();
    },
    pick(clientX, clientY) {
      return this.hit(clientX, clientY)?.index ?? null;
    },
    hit(clientX, clientY) {
      const box = renderer.domElement.getBoundingClientRect();
      pointer.set(((clientX - box.left) / box.width) * 2 - 1, -((clientY - box.top) / box.height) * 2 + 1);
      ray.setFromCamera(pointer, camera);
      const hit = ray.intersectObjects(meshes, false)[0];
      return hit ? { index: hit.object.userData.index as number, front: hit.face?.materialIndex === FRONT_FACE } : null;
    },
    projected(index) {
      const mesh = meshes[index];
      if (!mesh) return null;
      const at = mesh.position.clone().project(camera);
      const box = renderer.domElement.getBoundingClientRect();
      return { x: box.left + ((at.x + 1) / 2) * box.width, y: box.top + ((1 - at.y) / 2) * box.height };
    },
    frames: () => frames,
    dispose() {
      observer.disconnect();
      controls.dispose();
      textures.forEach((t) => t?.dispose());
      meshes.forEach((m) => (m.material as THREE.Material[]).forEach((mat) => mat.dispose()));
      geometry.dispose();
      renderer.dispose();
      renderer.domElement.remove();
    },
  };
}

/** Images are stored top row first; a DataTexture's first row is the bottom. */
function flipRows(mosaic: Mosaic): Uint8Array {
  const row = mosaic.width * 4;
  const out = new Uint8Array(mosaic.rgba.length);
  for (let y = 0; y < mosaic.height; y++) {
    out.set(mosaic.rgba.subarray(y * row, (y + 1) * row), (mosaic.height - 1 - y) * row);
  }
  return out;
}
