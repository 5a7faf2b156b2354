"""Draw the app icons in static/icons (run once after changing the design; the PNGs are
committed): a white house with a door on the theme colour. The maskable icon keeps the house
inside the central safe zone, since launchers crop it to a circle or a squircle."""

from pathlib import Path

from PIL import Image, ImageDraw

THEME = (11, 61, 92)
WHITE = (255, 255, 255)
ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"


def draw(size: int, house_share: float) -> Image.Image:
    image = Image.new("RGB", (size, size), THEME)
    pen = ImageDraw.Draw(image)
    side = size * house_share
    left, top = (size - side) / 2, (size - side) / 2
    roof = top + side * 0.45
    pen.polygon([(left, roof), (size / 2, top), (left + side, roof)], fill=WHITE)
    pen.rectangle([left + side * 0.12, roof, left + side * 0.88, top + side], fill=WHITE)
    door = side * 0.22
    pen.rectangle([size / 2 - door / 2, top + side - door * 1.6, size / 2 + door / 2, top + side],
                  fill=THEME)
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, share in [("icon-192.png", 192, 0.7), ("icon-512.png", 512, 0.7),
                              ("icon-maskable-512.png", 512, 0.5),
                              ("apple-touch-icon.png", 180, 0.6)]:
        draw(size, share).save(ICONS / name, optimize=True)


if __name__ == "__main__":
    main()
