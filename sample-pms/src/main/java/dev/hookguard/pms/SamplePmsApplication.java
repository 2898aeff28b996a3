package dev.hookguard.pms;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small project-management system that receives Mautic and Malcolm! webhooks through the Hookguard starter
 * and turns them into issues. Run it with {@code --demo} to watch it receive a scenario from the reference sender.
 */
@SpringBootApplication
public class SamplePmsApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SamplePmsApplication.class);
        application.addListeners(new DemoSecrets(), new DemoInboxPace());
        application.run(args);
    }
}
